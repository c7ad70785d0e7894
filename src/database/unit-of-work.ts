import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { isRetryableConflict } from './driver-errors';
import { requestExpired } from '../resilience/request-deadline.middleware';
import { ServiceUnavailableProblem } from '../resilience/service-unavailable.problem';
import {
  currentTransactionScope,
  outsideTransactionScope,
  TransactionScope,
} from './transaction-scope';

/**
 * A request already answered 503 for running out of time commits nothing: its transaction
 * neither starts nor, if it was under way, commits (it is rolled back).
 */
function refuseExpired<T>(work: (manager: EntityManager) => Promise<T>) {
  const refuse = () => {
    if (requestExpired()) throw new ServiceUnavailableProblem('The request ran out of time.');
  };
  return async (manager: EntityManager): Promise<T> => {
    refuse();
    const result = await work(manager);
    refuse();
    return result;
  };
}

/**
 * SQLite (WAL) lets a transaction that read first fail at once with SQLITE_BUSY_SNAPSHOT when
 * another process committed since, instead of waiting for the lock. A write as the first
 * statement takes the write lock up front (waiting the busy timeout), like BEGIN IMMEDIATE,
 * which TypeORM does not issue. Matters when two processes share one file.
 */
const TAKE_SQLITE_WRITE_LOCK = 'UPDATE schema_migrations SET id = id WHERE 0';

function writeLockFirst<T>(work: (manager: EntityManager) => Promise<T>) {
  return async (manager: EntityManager): Promise<T> => {
    await manager.query(TAKE_SQLITE_WRITE_LOCK);
    return work(manager);
  };
}

/** Transactions that InnoDB aborts to break a deadlock are run again this often. */
const DEADLOCK_ATTEMPTS = 4;

/**
 * Runs work in one database transaction. On SQLite TypeORM shares a single connection, so
 * concurrent transactions would nest into each other's savepoints: they are queued instead.
 * On MySQL a transaction chosen as a deadlock victim is retried, whole.
 * Inside a TransactionScope the work joins the scope's transaction, which commits later.
 */
@Injectable()
export class UnitOfWork {
  private sqliteQueue: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataSource: DataSource) {}

  get isSqlite(): boolean {
    return this.dataSource.options.type === 'better-sqlite3';
  }

  async run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    work = refuseExpired(work);
    const scope = currentTransactionScope();
    if (scope) return this.runInScope(scope, work);
    if (this.isSqlite) {
      const result = this.sqliteQueue.then(() => this.dataSource.transaction(writeLockFirst(work)));
      this.sqliteQueue = result.catch(() => undefined);
      return result;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction(work);
      } catch (error) {
        if (attempt >= DEADLOCK_ATTEMPTS || !isRetryableConflict(error)) throw error;
        await this.backOff(attempt);
      }
    }
  }

  /**
   * Runs single statements outside every transaction: on SQLite's one connection they wait for
   * the open transaction to end instead of slipping into it; on MySQL they run as they are.
   */
  outside<T>(work: () => Promise<T>): Promise<T> {
    if (!this.isSqlite) return work();
    return outsideTransactionScope(() => this.run(() => work()));
  }

  /** Runs `task` once the current scope's transaction commits; at once outside a scope. */
  async afterCommit(task: () => Promise<void>): Promise<void> {
    const scope = currentTransactionScope();
    if (scope?.manager) scope.afterCommit.push(task);
    else await task();
  }

  /** Commits the scope's transaction (if work opened one), then runs its after-commit tasks. */
  async commitScope(scope: TransactionScope): Promise<void> {
    scope.closed = true;
    const runner = scope.queryRunner;
    if (runner) {
      try {
        await runner.commitTransaction();
      } catch (error) {
        await this.rollbackScope(scope);
        throw error;
      }
      this.releaseScope(scope);
    }
    const tasks = scope.afterCommit.splice(0);
    await outsideTransactionScope(async () => {
      for (const task of tasks) await task();
    });
  }

  /** Undoes everything the scope's work wrote; later work in the scope starts afresh. */
  async rollbackScope(scope: TransactionScope): Promise<void> {
    scope.afterCommit = [];
    if (!scope.queryRunner) return;
    try {
      if (scope.queryRunner.isTransactionActive) await scope.queryRunner.rollbackTransaction();
    } finally {
      this.releaseScope(scope);
    }
  }

  private async runInScope<T>(
    scope: TransactionScope,
    work: (manager: EntityManager) => Promise<T>,
  ): Promise<T> {
    // A deadlock victim can be run again only if it was the first work of the transaction.
    const joined = scope.manager !== undefined;
    for (let attempt = 1; ; attempt++) {
      const manager = scope.manager ?? (await this.beginScope(scope));
      try {
        return await work(manager);
      } catch (error) {
        await this.rollbackScope(scope);
        if (joined || attempt >= DEADLOCK_ATTEMPTS || !isRetryableConflict(error)) throw error;
        await this.backOff(attempt);
      }
    }
  }

  private async beginScope(scope: TransactionScope): Promise<EntityManager> {
    if (this.isSqlite) {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const previous = this.sqliteQueue;
      this.sqliteQueue = previous.then(() => released);
      await previous;
      scope.releaseConnection = release;
    }
    const runner = this.dataSource.createQueryRunner();
    scope.queryRunner = runner;
    try {
      await runner.connect();
      await runner.startTransaction();
      if (this.isSqlite) await runner.query(TAKE_SQLITE_WRITE_LOCK);
    } catch (error) {
      this.releaseScope(scope);
      throw error;
    }
    return runner.manager;
  }

  private releaseScope(scope: TransactionScope): void {
    const runner = scope.queryRunner;
    scope.queryRunner = undefined;
    if (runner) void runner.release().catch(() => undefined);
    scope.releaseConnection?.();
    scope.releaseConnection = undefined;
  }

  private backOff(attempt: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 10));
  }
}
