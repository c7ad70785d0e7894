import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One event still to be delivered to one subscription; deleted once delivered or given up. */
@Entity({ name: 'webhook_deliveries' })
export class WebhookDeliveryEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar' })
  tenantId!: string;

  @PrimaryColumn({ name: 'webhook_id', type: 'varchar' })
  webhookId!: string;

  @PrimaryColumn({ name: 'event_seq', type: 'bigint' })
  eventSeq!: number;

  @Column({ name: 'contact_id', type: 'varchar' })
  contactId!: string;

  @Column({ type: 'bigint' })
  position!: number;

  @Column({ type: 'int' })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'datetime' })
  nextAttemptAt!: Date;

  /** While set and in the future, one worker's job is sending this delivery. */
  @Column({ name: 'lease_until', type: 'datetime', nullable: true })
  leaseUntil!: Date | null;
}
