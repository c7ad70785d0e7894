import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { EventsRepository } from '../events/events.repository';
import { QueuedWebhookJob, WebhookJob } from './queue/webhook-queue';
import { signedHeaders } from './webhook-signature';
import { webhookUrlProblem } from './webhook-url';
import { WebhookEntity } from './webhook.entity';
import { DueDelivery, WebhooksRepository } from './webhooks.repository';

/** A 2xx within this time is a delivery. */
const DELIVERY_TIMEOUT_MS = 10_000;
/** Longer than the timeout: a worker that dies mid-send leaves the delivery to another. */
const LEASE_MS = DELIVERY_TIMEOUT_MS + 5_000;
/** Wait after the n-th failed attempt; the last attempt is 24 h after the event. */
const RETRY_DELAYS_MS = [5, 30, 120, 600, 1800, 3600, 7200, 14400, 28800].map((s) => s * 1000);
const LAST_ATTEMPT_AFTER_MS = 24 * 3600 * 1000;

/**
 * One delivery attempt, as a queue job runs it (Bull or in-process, worker processes only):
 * lease the row, POST the event signed, then delete the row (a 2xx, or given up) or schedule
 * the next attempt on it. Returns the jobs that follow: the retry, delayed by the backoff, or
 * the next delivery of the lane. Every decision is on the row, so a stale or repeated job
 * does nothing, and a lost one is found again by WebhookDispatcher's sweep.
 */
@Injectable()
export class WebhookDeliverer {
  private readonly logger = new Logger(WebhookDeliverer.name);

  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly events: EventsRepository,
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
  ) {}

  async deliver(job: WebhookJob): Promise<QueuedWebhookJob[]> {
    const { tenantId, webhookId, eventSeq, attempts } = job;
    const delivery: DueDelivery = { tenantId, webhookId, eventSeq, attempts };
    const now = new Date();
    const lane = await this.webhooks.attemptable(delivery, now);
    if (!lane) return []; // done, retried, leased, or waiting for an earlier one of its lane
    if (!(await this.webhooks.claim(delivery, now, new Date(now.getTime() + LEASE_MS)))) return [];
    const retryAt = await this.attempt(delivery);
    if (retryAt) {
      await this.webhooks.reschedule(delivery, retryAt);
      const delayMs = Math.max(0, retryAt.getTime() - Date.now());
      return [{ job: { ...delivery, attempts: attempts + 1 }, delayMs }];
    }
    await this.webhooks.complete(delivery);
    const next = await this.webhooks.laneHead(tenantId, webhookId, lane.contactId);
    return next ? [{ job: { ...next, afterPrevious: true } }] : [];
  }

  /** Sends once; returns when to try again, or undefined when the delivery is over. */
  private async attempt(delivery: DueDelivery): Promise<Date | undefined> {
    const webhook = await this.webhooks.find(delivery.tenantId, delivery.webhookId);
    const found = await this.events.findBySeq(this.dataSource.manager, delivery.eventSeq);
    if (!webhook || !found) return undefined; // subscription deleted or event swept
    const body = JSON.stringify(found.event);
    const outcome = await this.post(webhook, found.event.id, body);
    if (outcome === undefined) {
      this.logger.debug({ message: 'webhook delivered', ...delivery });
      return undefined;
    }
    const lastAttempt = found.occurredAt.getTime() + LAST_ATTEMPT_AFTER_MS;
    const finished = Date.now();
    if (finished >= lastAttempt) {
      this.logger.warn({ message: 'webhook delivery abandoned', ...delivery, outcome });
      return undefined;
    }
    const delay = RETRY_DELAYS_MS[Math.min(delivery.attempts, RETRY_DELAYS_MS.length - 1)];
    const next = new Date(Math.min(finished + delay, lastAttempt));
    this.logger.log({ message: 'webhook delivery failed', ...delivery, outcome, retryAt: next });
    return next;
  }

  /** POSTs the body; undefined on a 2xx, else what went wrong. */
  private async post(webhook: WebhookEntity, eventId: string, body: string) {
    if (this.config.isProduction) {
      // The host may resolve elsewhere now than when the subscription was made.
      const problem = await webhookUrlProblem(webhook.url, true);
      if (problem) return `url refused: ${problem}`;
    }
    try {
      const response = await fetch(webhook.url, {
        method: 'POST',
        headers: signedHeaders(webhook.secret, eventId, body, new Date()),
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await response.body?.cancel();
      if (response.status >= 200 && response.status < 300) return undefined;
      return `status ${response.status}`;
    } catch (error) {
      return (error as Error).message;
    }
  }
}
