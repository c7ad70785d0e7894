import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleInit,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { EventSequencer } from '../events/event-sequencer';
import { EventsRepository } from '../events/events.repository';
import { signedHeaders } from './webhook-signature';
import { DueDelivery, WebhooksRepository } from './webhooks.repository';

/** A 2xx within this time is a delivery. */
const DELIVERY_TIMEOUT_MS = 10_000;
/** Longer than the timeout: a dispatcher that dies mid-send leaves the delivery to another. */
const LEASE_MS = DELIVERY_TIMEOUT_MS + 5_000;
/** Wait after the n-th failed attempt; the last attempt is 24 h after the event. */
const RETRY_DELAYS_MS = [5, 30, 120, 600, 1800, 3600, 7200, 14400, 28800].map((s) => s * 1000);
const LAST_ATTEMPT_AFTER_MS = 24 * 3600 * 1000;
const POLL_MS = 200;
const BATCH = 50;

/**
 * Delivers webhooks from the outbox, in worker processes only, never on a request. The
 * sequencer writes one delivery row per (subscription, event) in the transaction that positions
 * the event, so the durable queue is the database on both backends: a dispatcher leases a row,
 * POSTs it and deletes it on a 2xx; a dispatcher killed mid-send loses its lease after
 * LEASE_MS and another sends again (at least once). One lane per subscription and contact.
 */
@Injectable()
export class WebhookDispatcher
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(WebhookDispatcher.name);
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly events: EventsRepository,
    private readonly sequencer: EventSequencer,
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    this.sequencer.onPositioned((manager, seqs) => this.webhooks.fanOut(manager, seqs));
  }

  onApplicationBootstrap(): void {
    if (this.config.runsWorker) this.running = this.loop();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let sent = 0;
      try {
        sent = await this.dispatchOnce();
      } catch (error) {
        this.logger.warn({ message: 'webhook dispatch failed', error: (error as Error).message });
      }
      if (sent < BATCH) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Sends every due lane head it can lease; returns how many it attempted. */
  async dispatchOnce(): Promise<number> {
    const now = new Date();
    const due = await this.webhooks.due(now, BATCH);
    const claimed: DueDelivery[] = [];
    for (const delivery of due) {
      if (await this.webhooks.claim(delivery, now, new Date(now.getTime() + LEASE_MS))) {
        claimed.push(delivery);
      }
    }
    await Promise.all(claimed.map((delivery) => this.deliver(delivery)));
    return claimed.length;
  }

  private async deliver(delivery: DueDelivery): Promise<void> {
    const webhook = await this.webhooks.find(delivery.tenantId, delivery.webhookId);
    const found = await this.events.findBySeq(this.dataSource.manager, delivery.eventSeq);
    if (!webhook || !found) {
      await this.webhooks.complete(delivery); // subscription deleted or event swept
      return;
    }
    const body = JSON.stringify(found.event);
    const attemptAt = new Date();
    let outcome: string;
    try {
      const response = await fetch(webhook.url, {
        method: 'POST',
        headers: signedHeaders(webhook.secret, found.event.id, body, attemptAt),
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await response.body?.cancel();
      if (response.status >= 200 && response.status < 300) {
        await this.webhooks.complete(delivery);
        return;
      }
      outcome = `status ${response.status}`;
    } catch (error) {
      outcome = (error as Error).message;
    }
    const lastAttempt = found.occurredAt.getTime() + LAST_ATTEMPT_AFTER_MS;
    const finished = Date.now();
    if (finished >= lastAttempt) {
      this.logger.warn({ message: 'webhook delivery abandoned', ...delivery, outcome });
      await this.webhooks.complete(delivery);
      return;
    }
    const delay = RETRY_DELAYS_MS[Math.min(delivery.attempts, RETRY_DELAYS_MS.length - 1)];
    const next = new Date(Math.min(finished + delay, lastAttempt));
    this.logger.log({ message: 'webhook delivery failed', ...delivery, outcome, retryAt: next });
    await this.webhooks.reschedule(delivery, next);
  }
}
