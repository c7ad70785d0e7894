import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import {
  DELIVER_WEBHOOK_JOB,
  QueuedWebhookJob,
  WEBHOOK_QUEUE,
  WebhookJob,
  webhookJobId,
  WebhookQueue,
  WebhookQueueUnavailable,
} from './webhook-queue';

/** Longest an enqueue waits for Redis to take the job. */
const ADD_WAIT_MS = 1000;

@Injectable()
export class BullWebhookQueue extends WebhookQueue {
  constructor(@InjectQueue(WEBHOOK_QUEUE) private readonly queue: Queue<WebhookJob>) {
    super();
  }

  async enqueue({ job, delayMs }: QueuedWebhookJob): Promise<void> {
    // Bull's client keeps commands for a Redis that is away; the sweep covers the job instead.
    if (this.queue.client.status !== 'ready') throw new WebhookQueueUnavailable();
    const added = this.queue.add(DELIVER_WEBHOOK_JOB, job, {
      jobId: webhookJobId(job),
      delay: delayMs && delayMs > 0 ? delayMs : undefined,
      // One Bull attempt: the row carries the attempts and the backoff (a retry is a new,
      // delayed job). Removed when done either way, so the same id can be enqueued again.
      attempts: 1,
      removeOnComplete: true,
      removeOnFail: true,
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new WebhookQueueUnavailable()), ADD_WAIT_MS);
    });
    try {
      await Promise.race([added, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
