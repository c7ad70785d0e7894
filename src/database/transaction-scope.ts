import { AsyncLocalStorage } from 'node:async_hooks';
import type { EntityManager, QueryRunner } from 'typeorm';

/**
 * A transaction that outlives the UnitOfWork.run calls inside it: opened by the first of them,
 * joined by the later ones, and committed by whoever created the scope (the idempotency layer,
 * which stores the kept response in it). Work queued with `afterCommit` runs once it commits.
 */
export class TransactionScope {
  queryRunner?: QueryRunner;
  /** Frees the SQLite connection for the next transaction. */
  releaseConnection?: () => void;
  afterCommit: (() => Promise<void>)[] = [];
  /** Set once the scope is settled: later work (e.g. a job the request started) runs on its own. */
  closed = false;

  get manager(): EntityManager | undefined {
    return this.queryRunner?.manager;
  }
}

const scopes = new AsyncLocalStorage<TransactionScope>();

export function currentTransactionScope(): TransactionScope | undefined {
  const scope = scopes.getStore();
  return scope && !scope.closed ? scope : undefined;
}

export function runInTransactionScope<T>(scope: TransactionScope, work: () => Promise<T>) {
  return scopes.run(scope, work);
}

/** Runs `work` outside any scope, so nothing it starts joins the scope's transaction. */
export function outsideTransactionScope<T>(work: () => T): T {
  return scopes.exit(work);
}
