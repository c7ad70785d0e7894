import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/app-config';
import { MIGRATIONS } from '../../migrations';

/** SQL function lower-casing text as String#toLowerCase does (registered on SQLite). */
export const UNICODE_LOWER = 'unicode_lower';

interface SqliteHandle {
  pragma(sql: string): unknown;
  function(
    name: string,
    options: { deterministic: boolean },
    fn: (value: unknown) => unknown,
  ): unknown;
}

/**
 * One description of the database for the app and the migration CLI. MySQL/MariaDB in
 * production, an embedded SQLite file by default; the same migrations build both schemas.
 */
export function dataSourceOptions(
  database: DatabaseConfig,
  requestTimeoutMs = 10_000,
): DataSourceOptions {
  // Waiting on the database stays well inside a request's deadline (REQUEST_TIMEOUT_MS): a
  // database that does not answer fails the request with a 503 instead of holding it.
  const waitMs = Math.min(10_000, Math.floor(requestTimeoutMs / 2));
  const common = {
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    // Failures surface as exceptions (logged once by the problem filter); expected ones, such as
    // duplicate keys turned into 409s, are not noise in the log.
    logging: false,
  };
  if (database.type === 'sqlite') {
    if (database.path !== ':memory:') mkdirSync(dirname(database.path), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: database.path,
      enableWAL: true,
      // better-sqlite3 waits for a lock synchronously: the event loop (and every request's
      // deadline timer) stands still meanwhile, so this wait must end first.
      timeout: waitMs,
      prepareDatabase: (db: SqliteHandle) => {
        db.pragma('foreign_keys = ON');
        db.pragma('synchronous = NORMAL');
        // SQLite's LOWER folds ASCII only; this one lower-cases like JavaScript does.
        db.function(UNICODE_LOWER, { deterministic: true }, (value) =>
          typeof value === 'string' ? value.toLowerCase() : value,
        );
      },
      // The embedded default is zero-config: it brings its schema up to date at start.
      migrationsRun: true,
    };
  }
  return {
    ...common,
    type: 'mysql',
    url: database.url,
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: false,
    connectTimeout: waitMs,
    // A request that cannot get one of the 20 connections is refused beyond this queue.
    extra: { connectionLimit: 20, queueLimit: 200 },
    migrationsRun: false,
  };
}
