import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, QueryResult, Repository } from 'typeorm';
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

interface DeliveryRow {
  tenant_id: string;
  webhook_id: string;
  event_seq: number | string;
  attempts: number | string;
}

const toDelivery = (row: DeliveryRow): DueDelivery => ({
  tenantId: row.tenant_id,
  webhookId: row.webhook_id,
  eventSeq: Number(row.event_seq),
  attempts: Number(row.attempts),
});

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
   * its tenant that was created before it and chose its type. Set-based, one statement; then
   * the keys of what it wrote (through the primary key), for the queue once this commits. When
   * it wrote nothing (no subscription: an import's tenant, typically) there is nothing to read.
   */
  async fanOut(manager: EntityManager, seqs: number[]): Promise<DueDelivery[]> {
    const inSeqs = `e.seq IN (${seqs.map(() => '?').join(', ')})`;
    // The structured result carries the inserted row count on both drivers.
    const inserted: QueryResult = await manager.queryRunner!.query(
      `INSERT INTO webhook_deliveries
         (tenant_id, webhook_id, event_seq, contact_id, position, attempts, next_attempt_at)
       SELECT e.tenant_id, w.id, e.seq, e.contact_id, e.position, 0, e.occurred_at
       FROM contact_events e JOIN webhooks w ON w.tenant_id = e.tenant_id
       WHERE ${inSeqs} AND w.created_at < e.occurred_at AND (${TYPE_MATCH})`,
      seqs,
      true,
    );
    if (!inserted.affected) return [];
    const rows = await manager.query<DeliveryRow[]>(
      `SELECT d.tenant_id, d.webhook_id, d.event_seq, d.attempts
       FROM contact_events e JOIN webhooks w ON w.tenant_id = e.tenant_id
       JOIN webhook_deliveries d
         ON d.tenant_id = w.tenant_id AND d.webhook_id = w.id AND d.event_seq = e.seq
       WHERE ${inSeqs} ORDER BY d.position`,
      seqs,
    );
    return rows.map(toDelivery);
  }

  /**
   * Due deliveries that head their lane: per subscription and contact only the earliest is
   * sent, so a contact's events arrive in order even while one waits for a retry.
   */
  async due(now: Date, limit: number): Promise<DueDelivery[]> {
    const at = sqlTimestamp(now);
    const rows = await this.deliveries.manager.query<DeliveryRow[]>(
      `SELECT d.tenant_id, d.webhook_id, d.event_seq, d.attempts FROM webhook_deliveries d
       WHERE d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until < ?)
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p
           WHERE p.tenant_id = d.tenant_id AND p.webhook_id = d.webhook_id
             AND p.contact_id = d.contact_id AND p.position < d.position)
       ORDER BY d.next_attempt_at LIMIT ${limit}`,
      [at, at],
    );
    return rows.map(toDelivery);
  }

  /**
   * The delivery's lane (its contact) when it may be attempted now: it still has `attempts`,
   * nobody holds its lease, and no earlier delivery of its lane is left. Null otherwise.
   */
  async attemptable(delivery: DueDelivery, now: Date): Promise<{ contactId: string } | null> {
    const rows = await this.deliveries.manager.query<{ contact_id: string }[]>(
      `SELECT d.contact_id FROM webhook_deliveries d
       WHERE d.tenant_id = ? AND d.webhook_id = ? AND d.event_seq = ? AND d.attempts = ?
         AND (d.lease_until IS NULL OR d.lease_until < ?)
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p
           WHERE p.tenant_id = d.tenant_id AND p.webhook_id = d.webhook_id
             AND p.contact_id = d.contact_id AND p.position < d.position)`,
      [
        delivery.tenantId,
        delivery.webhookId,
        delivery.eventSeq,
        delivery.attempts,
        sqlTimestamp(now),
      ],
    );
    return rows.length > 0 ? { contactId: rows[0].contact_id } : null;
  }

  /** The earliest delivery left in a lane (subscription and contact), if any. */
  async laneHead(tenantId: string, webhookId: string, contactId: string) {
    const rows = await this.deliveries.manager.query<DeliveryRow[]>(
      `SELECT tenant_id, webhook_id, event_seq, attempts FROM webhook_deliveries
       WHERE tenant_id = ? AND webhook_id = ? AND contact_id = ? ORDER BY position LIMIT 1`,
      [tenantId, webhookId, contactId],
    );
    return rows.length > 0 ? toDelivery(rows[0]) : undefined;
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
