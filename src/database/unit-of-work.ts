import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { isRetryableConflict } from './driver-errors';
import { requestExpired } from '../resilience/request-deadline.middleware';
import { ServiceUnavailableProblem } from '../resilience/service-unavailable.problem';

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

/** Transactions that InnoDB aborts to break a deadlock are run again this often. */
const DEADLOCK_ATTEMPTS = 4;

/**
 * Runs work in one database transaction. On SQLite TypeORM shares a single connection, so
 * concurrent transactions would nest into each other's savepoints: they are queued instead.
 * On MySQL a transaction chosen as a deadlock victim is retried, whole.
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
    if (this.isSqlite) {
      const result = this.sqliteQueue.then(() => this.dataSource.transaction(work));
      this.sqliteQueue = result.catch(() => undefined);
      return result;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction(work);
      } catch (error) {
        if (attempt >= DEADLOCK_ATTEMPTS || !isRetryableConflict(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 10));
      }
    }
  }
}
