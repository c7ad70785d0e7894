import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { WebhookDeliverer } from '../webhook-deliverer';
import { WebhookDispatcher } from '../webhook-dispatcher';
import {
  DELIVER_WEBHOOK_JOB,
  WEBHOOK_CONCURRENCY,
  WEBHOOK_QUEUE,
  WebhookJob,
} from './webhook-queue';

/** The Bull worker for webhook deliveries: runs in processes with PROCESS_ROLE all or worker. */
@Processor(WEBHOOK_QUEUE)
export class WebhookProcessor {
  constructor(
    private readonly deliverer: WebhookDeliverer,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  @Process({ name: DELIVER_WEBHOOK_JOB, concurrency: WEBHOOK_CONCURRENCY })
  async deliver(job: Job<WebhookJob>): Promise<void> {
    // A failure here (the database away) fails the job; the row stays and the sweep retries it.
    await this.dispatcher.dispatch(await this.deliverer.deliver(job.data), 'delivery');
  }
}
