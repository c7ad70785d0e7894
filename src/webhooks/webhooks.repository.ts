import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { CONTACT_EVENT_TYPES } from '../events/contact-events';
import { sqlTimestamp } from '../database/sql-timestamp';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';
import { WebhookEntity } from './webhook.entity';

/** Subscribed-type check: the type literals are constants, so the SQL carries them inline. */
const TYPE_MATCH = CONTACT_EVENT_TYPES.map(
  (type) => `(e.type = '${type}' AND w.events LIKE '%,${type},%')`,
).join(' OR ');

export interface DueDelivery {
  tenantId: string;
  webhookId: string;
  eventSeq: number;
  attempts: number;
}

@Injectable()
export class WebhooksRepository {
  constructor(
    @InjectRepository(WebhookEntity) private readonly webhooks: Repository<WebhookEntity>,
    @InjectRepository(WebhookDeliveryEntity)
    private readonly deliveries: Repository<WebhookDeliveryEntity>,
  ) {}

  list(tenantId: string): Promise<WebhookEntity[]> {
    return this.webhooks.find({ where: { tenantId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  find(tenantId: string, id: string): Promise<WebhookEntity | null> {
    return this.webhooks.findOneBy({ tenantId, id });
  }

  async insert(webhook: WebhookEntity): Promise<void> {
    await this.webhooks.insert(webhook);
  }

  /** Deletes the subscription and what it still had to receive. */
  async delete(tenantId: string, id: string, manager: EntityManager): Promise<boolean> {
    const result = await manager.getRepository(WebhookEntity).delete({ tenantId, id });
    await manager.getRepository(WebhookDeliveryEntity).delete({ tenantId, webhookId: id });
    return (result.affected ?? 0) > 0;
  }

  /**
   * In the sequencer's transaction: one delivery per just-positioned event and subscription of
   * its tenant that was created before it and chose its type. Set-based, one statement.
   */
  async fanOut(manager: EntityManager, seqs: number[]): Promise<void> {
    await manager.query(
      `INSERT INTO webhook_deliveries
         (tenant_id, webhook_id, event_seq, contact_id, position, attempts, next_attempt_at)
       SELECT e.tenant_id, w.id, e.seq, e.contact_id, e.position, 0, e.occurred_at
       FROM contact_events e JOIN webhooks w ON w.tenant_id = e.tenant_id
       WHERE e.seq IN (${seqs.map(() => '?').join(', ')})
         AND w.created_at < e.occurred_at AND (${TYPE_MATCH})`,
      seqs,
    );
  }

  /**
   * Due deliveries that head their lane: per subscription and contact only the earliest is
   * sent, so a contact's events arrive in order even while one waits for a retry.
   */
  async due(now: Date, limit: number): Promise<DueDelivery[]> {
    const at = sqlTimestamp(now);
    const rows = await this.deliveries.manager.query<
      { tenant_id: string; webhook_id: string; event_seq: number | string; attempts: number }[]
    >(
      `SELECT d.tenant_id, d.webhook_id, d.event_seq, d.attempts FROM webhook_deliveries d
       WHERE d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until < ?)
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p
           WHERE p.tenant_id = d.tenant_id AND p.webhook_id = d.webhook_id
             AND p.contact_id = d.contact_id AND p.position < d.position)
       ORDER BY d.next_attempt_at LIMIT ${limit}`,
      [at, at],
    );
    return rows.map((row) => ({
      tenantId: row.tenant_id,
      webhookId: row.webhook_id,
      eventSeq: Number(row.event_seq),
      attempts: Number(row.attempts),
    }));
  }

  /** Takes the lease on a delivery; false when another dispatcher took it first. */
  async claim(delivery: DueDelivery, now: Date, until: Date): Promise<boolean> {
    const result = await this.deliveries
      .createQueryBuilder()
      .update()
      .set({ leaseUntil: until })
      .where(
        'tenant_id = :tenantId AND webhook_id = :webhookId AND event_seq = :eventSeq',
        delivery,
      )
      .andWhere('attempts = :attempts', { attempts: delivery.attempts })
      .andWhere('(lease_until IS NULL OR lease_until < :now)', { now: sqlTimestamp(now) })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  async complete(delivery: DueDelivery): Promise<void> {
    const { tenantId, webhookId, eventSeq } = delivery;
    await this.deliveries.delete({ tenantId, webhookId, eventSeq });
  }

  async reschedule(delivery: DueDelivery, next: Date): Promise<void> {
    const { tenantId, webhookId, eventSeq } = delivery;
    await this.deliveries.update(
      { tenantId, webhookId, eventSeq },
      { attempts: delivery.attempts + 1, nextAttemptAt: next, leaseUntil: null },
    );
  }
}
