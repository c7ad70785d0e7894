import { Gauge, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { ImportQueue } from '../imports/queue/import-queue';

/** The mysql2 pool's own bookkeeping (lib/base/pool.js); not public API, hence the guards. */
interface Mysql2PoolInternals {
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
}

/** Database pool and import queue gauges, read when Prometheus scrapes. */
export function registerResourceGauges(
  registry: Registry,
  sources: { dataSource: () => DataSource | undefined; queue: () => ImportQueue | undefined },
): void {
  new Gauge({
    name: 'db_pool_connections',
    help: 'Database connections by state (in_use, idle); SQLite has one connection',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const dataSource = sources.dataSource();
      if (!dataSource?.isInitialized) return;
      if (dataSource.options.type !== 'mysql') {
        // better-sqlite3 answers synchronously: between two requests its one connection is idle.
        this.set({ state: 'in_use' }, 0);
        this.set({ state: 'idle' }, 1);
        return;
      }
      const pool = (dataSource.driver as unknown as { pool?: Mysql2PoolInternals }).pool;
      const all = pool?._allConnections?.length ?? 0;
      const idle = pool?._freeConnections?.length ?? 0;
      this.set({ state: 'in_use' }, all - idle);
      this.set({ state: 'idle' }, idle);
    },
  });
  new Gauge({
    name: 'contacts_import_queue_jobs',
    help: 'Import jobs by state: waiting (incl. retries in backoff) and active',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const queue = sources.queue();
      if (!queue) return;
      const counts = await queue.counts();
      this.set({ state: 'waiting' }, counts.waiting);
      this.set({ state: 'active' }, counts.active);
    },
  });
}
