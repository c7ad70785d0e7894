import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'webhooks' })
export class WebhookEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar' })
  tenantId!: string;

  @PrimaryColumn({ type: 'varchar' })
  id!: string;

  @Column({ type: 'varchar' })
  url!: string;

  /** The subscribed types, comma-separated and comma-framed (`,contact.created,`) for LIKE. */
  @Column({ type: 'varchar' })
  events!: string;

  @Column({ type: 'varchar' })
  secret!: string;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;
}

export function eventTypesOf(webhook: WebhookEntity): string[] {
  return webhook.events.split(',').filter((type) => type !== '');
}
