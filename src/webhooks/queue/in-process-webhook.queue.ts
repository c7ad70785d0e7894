import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { WebhookDeliverer } from '../webhook-deliverer';
import {
  QueuedWebhookJob,
  WEBHOOK_CONCURRENCY,
  WebhookJob,
  webhookJobId,
  WebhookQueue,
} from './webhook-queue';

/**
 * The queue without Redis: the same deliverer in this process, up to WEBHOOK_CONCURRENCY at
 * once, with retries as timers. Jobs live in memory only; what a stopped process still had
 * queued is in `webhook_deliveries`, and the sweep enqueues it after the next start.
 */
@Injectable()
export class InProcessWebhookQueue extends WebhookQueue implements BeforeApplicationShutdown {
  private readonly logger = new Logger(InProcessWebhookQueue.name);
  /** Ids waiting, delayed or running, as Bull refuses to add a job whose id it holds. */
  private readonly held = new Map<string, NodeJS.Timeout | undefined>();
  private readonly ready: { id: string; job: WebhookJob }[] = [];
  private readonly running = new Set<Promise<void>>();
  private stopping = false;

  constructor(private readonly deliverer: WebhookDeliverer) {
    super();
  }

  async enqueue({ job, delayMs }: QueuedWebhookJob): Promise<void> {
    const id = webhookJobId(job);
    if (this.stopping || this.held.has(id)) return;
    if (delayMs && delayMs > 0) {
      const timer = setTimeout(() => this.makeReady(id, job), delayMs);
      timer.unref();
      this.held.set(id, timer);
      return;
    }
    this.held.set(id, undefined);
    this.makeReady(id, job);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const timer of this.held.values()) clearTimeout(timer);
    this.ready.length = 0;
    await Promise.all(this.running);
  }

  private makeReady(id: string, job: WebhookJob): void {
    this.ready.push({ id, job });
    this.drain();
  }

  private drain(): void {
    while (!this.stopping && this.running.size < WEBHOOK_CONCURRENCY && this.ready.length > 0) {
      const { id, job } = this.ready.shift()!;
      const run: Promise<void> = this.run(job).finally(() => {
        this.held.delete(id);
        this.running.delete(run);
        this.drain();
      });
      this.running.add(run);
    }
  }

  private async run(job: WebhookJob): Promise<void> {
    try {
      for (const next of await this.deliverer.deliver(job)) await this.enqueue(next);
    } catch (error) {
      // The database is away: the row stays, and the sweep enqueues it again.
      this.logger.warn({ message: 'webhook job failed', error: (error as Error).message });
    }
  }
}
