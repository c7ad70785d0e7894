import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { isRetryableConflict, isUniqueViolation } from '../database/driver-errors';
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

/** The claim made by the first statement of the operation's own transaction. */
export type TransactionClaim =
  | { kind: 'run'; token: string }
  /** A committed row holds the key: `claim()` says what this request gets. */
  | { kind: 'taken' }
  | { kind: 'in-use' };

/** What this process answers at once for a key it runs itself (see `holdHere`). */
export type LocalHold =
  { kind: 'run'; release: () => void } | { kind: 'in-use' } | { kind: 'reused' };

/** The key store's rules: who runs a key, and what a retry gets. */
@Injectable()
export class IdempotencyService {
  /** Keys this process runs in a transaction, and their fingerprints. */
  private readonly runningHere = new Map<string, string>();

  constructor(
    private readonly keys: IdempotencyRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly config: AppConfig,
  ) {}

  /**
   * A second request with a key this process is running in a transaction is answered at once:
   * waiting for the row lock would hold one pooled connection per waiter, and enough of them
   * would starve the holder itself.
   */
  holdHere(tenantId: string, key: string, fingerprint: string): LocalHold {
    const id = `${tenantId}\n${key}`;
    const running = this.runningHere.get(id);
    if (running !== undefined) return { kind: running === fingerprint ? 'in-use' : 'reused' };
    this.runningHere.set(id, fingerprint);
    let released = false;
    return {
      kind: 'run',
      release: () => {
        if (!released) this.runningHere.delete(id);
        released = true;
      },
    };
  }

  /**
   * Claims the key with the first statement of the current TransactionScope's transaction: the
   * row stays uncommitted (and locked) until the operation commits with its response, and dies
   * with the transaction if the operation fails or the process crashes, so it needs no lease.
   * UnitOfWork reruns the INSERT when InnoDB picks it as a deadlock victim (two waiters on a
   * holder that rolled back); one that still fails is answered "in use".
   */
  async claimInTransaction(
    tenantId: string,
    key: string,
    fingerprint: string,
  ): Promise<TransactionClaim> {
    const fresh = this.freshRow(tenantId, key, fingerprint, new Date());
    try {
      await this.unitOfWork.run((manager) => this.keys.insert(fresh, manager));
      return { kind: 'run', token: fresh.lockToken };
    } catch (error) {
      if (isUniqueViolation(error)) return { kind: 'taken' };
      if (isRetryableConflict(error)) return { kind: 'in-use' };
      throw error;
    }
  }

  /**
   * Keeps the response of a key claimed in the transaction. If the operation lost its claim's
   * row (it recovered from a failed statement, which rolled the transaction back), the kept row
   * is inserted anew; false when another request holds the key by now.
   */
  async completeInTransaction(
    keyed: { tenantId: string; key: string; fingerprint: string },
    token: string,
    response: KeptResponse,
    manager?: EntityManager,
  ): Promise<boolean> {
    const { tenantId, key, fingerprint } = keyed;
    if (manager && (await this.keys.complete(tenantId, key, token, null, response, manager))) {
      return true;
    }
    return this.keepCompleted(tenantId, key, fingerprint, response, manager);
  }

  /**
   * Inserts a completed key: the kept 4xx of an operation whose transaction (and the claim in
   * it) was rolled back. False, and nothing kept, when another request took the key meanwhile.
   */
  async keepCompleted(
    tenantId: string,
    key: string,
    fingerprint: string,
    response: KeptResponse,
    manager?: EntityManager,
  ): Promise<boolean> {
    const row = Object.assign(this.freshRow(tenantId, key, fingerprint, new Date()), {
      state: 'completed',
      lockedUntil: null,
      statusCode: response.statusCode,
      responseHeaders: JSON.stringify(response.headers),
      responseBody: response.body,
    });
    try {
      if (manager) await this.keys.insert(row, manager);
      else await this.unitOfWork.outside(() => this.keys.insert(row));
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

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
