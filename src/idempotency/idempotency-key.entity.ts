import { Column, Entity, PrimaryColumn } from 'typeorm';

export type IdempotencyState = 'running' | 'completed';

/** One Idempotency-Key of a tenant: who runs it, or the response it produced. */
@Entity({ name: 'idempotency_keys' })
export class IdempotencyKeyEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar' })
  tenantId!: string;

  @PrimaryColumn({ name: 'idem_key', type: 'varchar' })
  key!: string;

  @Column({ type: 'varchar' })
  fingerprint!: string;

  @Column({ name: 'body_hash', type: 'varchar', nullable: true })
  bodyHash!: string | null;

  @Column({ type: 'varchar' })
  state!: IdempotencyState;

  @Column({ name: 'lock_token', type: 'varchar', nullable: true })
  lockToken!: string | null;

  @Column({ name: 'locked_until', type: 'datetime', nullable: true })
  lockedUntil!: Date | null;

  @Column({ name: 'status_code', type: 'int', nullable: true })
  statusCode!: number | null;

  @Column({ name: 'response_headers', type: 'text', nullable: true })
  responseHeaders!: string | null;

  @Column({ name: 'response_body', type: 'text', nullable: true })
  responseBody!: string | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'datetime' })
  expiresAt!: Date;
}
