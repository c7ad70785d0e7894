import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, LessThan, Repository } from 'typeorm';
import { sqlTimestamp } from '../database/sql-timestamp';
import { IdempotencyKeyEntity } from './idempotency-key.entity';

/** A kept response: status, the kept headers and the body as sent. */
export interface KeptResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const COLUMNS = [
  'tenant_id',
  'idem_key',
  'fingerprint',
  'body_hash',
  'state',
  'lock_token',
  'locked_until',
  'status_code',
  'response_headers',
  'response_body',
  'created_at',
  'expires_at',
];
const INSERT_KEY = `INSERT INTO idempotency_keys (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`;

/** Queries of the key store; the tenant id is always explicit. */
@Injectable()
export class IdempotencyRepository {
  constructor(
    @InjectRepository(IdempotencyKeyEntity)
    private readonly keys: Repository<IdempotencyKeyEntity>,
  ) {}

  find(tenantId: string, key: string): Promise<IdempotencyKeyEntity | null> {
    return this.keys.findOneBy({ tenantId, key });
  }

  /**
   * In `manager`'s transaction when given (the claim that opens an operation's transaction).
   * Plain SQL: every keyed POST runs it, and the query builder's insert took measurably longer
   * than the bare statement.
   */
  async insert(entity: IdempotencyKeyEntity, manager?: EntityManager): Promise<void> {
    const at = (date: Date | null) => (date ? sqlTimestamp(date) : null);
    await (manager ?? this.keys.manager).query(INSERT_KEY, [
      entity.tenantId,
      entity.key,
      entity.fingerprint,
      entity.bodyHash,
      entity.state,
      entity.lockToken,
      at(entity.lockedUntil),
      entity.statusCode,
      entity.responseHeaders,
      entity.responseBody,
      at(entity.createdAt),
      at(entity.expiresAt),
    ]);
  }

  /** Takes a key over from its previous holder, if it still is `previousToken`. */
  async takeOver(entity: IdempotencyKeyEntity, previousToken: string | null): Promise<boolean> {
    const { tenantId, key, ...changes } = entity;
    const result = await this.keys
      .createQueryBuilder()
      .update()
      .set(changes)
      .where('tenant_id = :tenantId AND idem_key = :key', { tenantId, key })
      .andWhere(previousToken === null ? 'lock_token IS NULL' : 'lock_token = :previousToken', {
        previousToken,
      })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  async extendLease(tenantId: string, key: string, token: string, until: Date): Promise<void> {
    await this.keys.update({ tenantId, key, lockToken: token }, { lockedUntil: until });
  }

  async release(tenantId: string, key: string, token: string): Promise<void> {
    await this.keys.delete({ tenantId, key, lockToken: token, state: 'running' });
  }

  /** Records the response; false when the key was taken over meanwhile. */
  async complete(
    tenantId: string,
    key: string,
    token: string,
    bodyHash: string | null,
    response: KeptResponse,
    manager?: EntityManager,
  ): Promise<boolean> {
    const result = await (manager?.getRepository(IdempotencyKeyEntity) ?? this.keys).update(
      { tenantId, key, lockToken: token, state: 'running' },
      {
        state: 'completed',
        bodyHash,
        lockedUntil: null,
        statusCode: response.statusCode,
        responseHeaders: JSON.stringify(response.headers),
        responseBody: response.body,
      },
    );
    return (result.affected ?? 0) > 0;
  }

  /** Tenants that hold keys (the primary key's prefix). */
  async tenants(): Promise<string[]> {
    const rows = await this.keys
      .createQueryBuilder('k')
      .select('DISTINCT k.tenant_id', 'tenantId')
      .getRawMany<{ tenantId: string }>();
    return rows.map((row) => row.tenantId);
  }

  /** Deletes up to `limit` keys of a tenant that expired before `now`; returns how many. */
  async deleteExpired(tenantId: string, now: Date, limit: number): Promise<number> {
    const expired = await this.keys.find({
      select: { key: true },
      where: { tenantId, expiresAt: LessThan(now) },
      order: { expiresAt: 'ASC' },
      take: limit,
    });
    if (expired.length === 0) return 0;
    await this.keys.delete({ tenantId, key: In(expired.map((row) => row.key)) });
    return expired.length;
  }
}
