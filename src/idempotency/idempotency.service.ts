import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { isUniqueViolation } from '../database/driver-errors';
import { UnitOfWork } from '../database/unit-of-work';
import { IdempotencyKeyEntity } from './idempotency-key.entity';
import { IdempotencyRepository, KeptResponse } from './idempotency.repository';

/** A running request holds its key this long without renewing it; a crashed one lets it go. */
export const LEASE_MS = 30_000;

export type Claim =
  | { kind: 'run'; token: string }
  | { kind: 'replay'; response: KeptResponse; bodyHash: string | null }
  | { kind: 'in-use' }
  | { kind: 'reused' };

/** The key store's rules: who runs a key, and what a retry gets. */
@Injectable()
export class IdempotencyService {
  constructor(
    private readonly keys: IdempotencyRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly config: AppConfig,
  ) {}

  /** Claims the key for this request, or says why it cannot run. */
  async claim(tenantId: string, key: string, fingerprint: string): Promise<Claim> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const now = new Date();
      const fresh = this.freshRow(tenantId, key, fingerprint, now);
      try {
        await this.unitOfWork.outside(() => this.keys.insert(fresh));
        return { kind: 'run', token: fresh.lockToken };
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
      const row = await this.unitOfWork.outside(() => this.keys.find(tenantId, key));
      if (!row) continue; // swept meanwhile
      const leaseLost = row.state === 'running' && (row.lockedUntil?.getTime() ?? 0) <= +now;
      if (row.expiresAt.getTime() <= +now || leaseLost) {
        const taken = await this.unitOfWork.outside(() => this.keys.takeOver(fresh, row.lockToken));
        if (taken) return { kind: 'run', token: fresh.lockToken };
        continue;
      }
      if (row.fingerprint !== fingerprint) return { kind: 'reused' };
      if (row.state === 'running') return { kind: 'in-use' };
      return {
        kind: 'replay',
        bodyHash: row.bodyHash,
        response: {
          statusCode: row.statusCode ?? 200,
          headers: JSON.parse(row.responseHeaders ?? '{}') as Record<string, string>,
          body: row.responseBody ?? '',
        },
      };
    }
    return { kind: 'in-use' };
  }

  /** Keeps the response; in `manager`'s transaction when the operation wrote in one. */
  complete(
    tenantId: string,
    key: string,
    token: string,
    bodyHash: string | null,
    response: KeptResponse,
    manager?: EntityManager,
  ): Promise<boolean> {
    if (manager) return this.keys.complete(tenantId, key, token, bodyHash, response, manager);
    return this.unitOfWork.outside(() =>
      this.keys.complete(tenantId, key, token, bodyHash, response),
    );
  }

  /** Gives the key up: the outcome is not kept, so a retry runs afresh. */
  release(tenantId: string, key: string, token: string): Promise<void> {
    return this.unitOfWork.outside(() => this.keys.release(tenantId, key, token));
  }

  /** Renews the lease while a long request (an upload) still runs; returns the stopper. */
  keepLease(tenantId: string, key: string, token: string): () => void {
    const timer = setInterval(() => {
      void this.unitOfWork
        .outside(() => this.keys.extendLease(tenantId, key, token, new Date(Date.now() + LEASE_MS)))
        .catch(() => undefined);
    }, LEASE_MS / 3);
    timer.unref();
    return () => clearInterval(timer);
  }

  private freshRow(tenantId: string, key: string, fingerprint: string, now: Date) {
    return Object.assign(new IdempotencyKeyEntity(), {
      tenantId,
      key,
      fingerprint,
      bodyHash: null,
      state: 'running',
      lockToken: randomUUID(),
      lockedUntil: new Date(+now + LEASE_MS),
      statusCode: null,
      responseHeaders: null,
      responseBody: null,
      createdAt: now,
      expiresAt: new Date(+now + this.config.idempotencyTtlSeconds * 1000),
    });
  }
}
