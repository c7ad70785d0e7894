import {
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { EventSequencer } from '../events/event-sequencer';
import { QueuedWebhookJob, WebhookQueue, WebhookQueueUnavailable } from './queue/webhook-queue';
import { WebhooksRepository } from './webhooks.repository';

/** Lane heads enqueued per sweep. */
const SWEEP_BATCH = 500;

/**
 * Puts webhook deliveries on the queue (Bull, or in-process without Redis), in worker processes
 * only, never on a request. The sequencer writes one `webhook_deliveries` row per
 * (subscription, event) in the transaction that positions the event: the rows are the durable
 * truth, the queue only says when to try one. Once that transaction commits, each new row is
 * enqueued (an enqueue that fails costs nothing but time). A job that never runs, because Redis
 * was away or a worker died holding it, leaves a due, unleased row behind, which the sweep
 * (every WEBHOOK_SWEEP_MS) enqueues again under the same job id, so a job still waiting is not
 * doubled. At least once: a worker killed mid-send loses the lease, and the row is sent again.
 */
@Injectable()
export class WebhookDispatcher
  implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(WebhookDispatcher.name);
  private timer?: NodeJS.Timeout;
  private sweeping = false;

  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly queue: WebhookQueue,
    private readonly sequencer: EventSequencer,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.sequencer.onPositioned(async (manager, seqs) => {
      const deliveries = await this.webhooks.fanOut(manager, seqs);
      if (deliveries.length === 0) return undefined;
      return () => void this.dispatch(deliveries.map((job) => ({ job })));
    });
  }

  onApplicationBootstrap(): void {
    if (!this.config.runsWorker) return;
    this.timer = setInterval(() => void this.sweep(), this.config.webhookSweepMs);
    this.timer.unref();
    void this.sweep();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Enqueues in order; never throws. False when the queue is away (the sweep will retry). */
  async dispatch(
    jobs: QueuedWebhookJob[],
    by: 'fan-out' | 'sweep' | 'delivery' = 'fan-out',
  ): Promise<boolean> {
    for (const [index, queued] of jobs.entries()) {
      try {
        await this.queue.enqueue(queued);
      } catch (error) {
        if (error instanceof WebhookQueueUnavailable) {
          this.logger.debug({
            message: 'webhook enqueue left to the sweep',
            by,
            jobs: jobs.length - index,
          });
        } else {
          this.logger.warn({ message: 'webhook enqueue failed', error: (error as Error).message });
        }
        return false;
      }
    }
    return true;
  }

  /** Enqueues the due, unleased lane heads: those whose job was lost. */
  async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const due = await this.webhooks.due(new Date(), SWEEP_BATCH);
      await this.dispatch(
        due.map((job) => ({ job })),
        'sweep',
      );
    } catch {
      // The database is away too: the next sweep tries again.
    } finally {
      this.sweeping = false;
    }
  }
}
