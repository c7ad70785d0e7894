import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { runToExit } from './server';
import { requiredEnv, TEST_JWT_SECRET, testTarget } from './test-target';

const MIGRATION_CLI = join(__dirname, '..', '..', 'node_modules', 'typeorm', 'cli.js');
const MIGRATION_SOURCE = join(
  __dirname,
  '..',
  '..',
  'dist',
  'src',
  'database',
  'migration-data-source.js',
);

/** Environment a server needs to run against the selected backend. */
export function backendEnv(): Record<string, string> {
  const common = {
    JWT_SECRET: TEST_JWT_SECRET,
    NODE_ENV: 'test',
    // Limits on (their headers are sent) but out of reach: specs share tenants' budgets freely.
    RATE_LIMIT_PER_MINUTE: '100000000',
    RATE_LIMIT_SEARCH_PER_MINUTE: '100000000',
  };
  if (testTarget() === 'embedded') {
    return { ...common, DATABASE_URL: process.env.E2E_SQLITE_URL ?? freshSqliteUrl() };
  }
  return {
    ...common,
    DATABASE_URL: requiredEnv('TEST_DATABASE_URL'),
    REDIS_URL: requiredEnv('TEST_REDIS_URL'),
  };
}

export function freshSqliteUrl(): string {
  return `sqlite:${join(mkdtempSync(join(tmpdir(), 'contacts-e2e-')), 'contacts.sqlite')}`;
}

/** Drops and recreates the MariaDB test database, then applies the migrations with the CLI. */
export async function resetMariaDb(): Promise<void> {
  const url = new URL(requiredEnv('TEST_DATABASE_URL'));
  const database = url.pathname.slice(1);
  url.pathname = '/';
  const connection = await createConnection(url.toString());
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await connection.query(
      `CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await connection.end();
  }
  const migration = await runToExit(MIGRATION_CLI, { ...backendEnv() }, [
    'migration:run',
    '-d',
    MIGRATION_SOURCE,
  ]);
  if (migration.code !== 0) throw new Error(`migration:run failed:\n${migration.output}`);
}

/**
 * Environment for an extra server a spec starts for itself. It must not take work from the
 * shared server: on MariaDB + Redis it serves HTTP only (PROCESS_ROLE=api), and on the embedded
 * default, where the queue is in-process, it gets its own SQLite file.
 */
export function isolatedServerEnv(): Record<string, string> {
  if (testTarget() === 'embedded') return { ...backendEnv(), DATABASE_URL: freshSqliteUrl() };
  return { ...backendEnv(), PROCESS_ROLE: 'api' };
}

/**
 * A Bull queue of its own (QUEUE_PREFIX) for the processes a spec starts on MariaDB + Redis: the
 * shared server's workers (two on the cluster target) then take none of its jobs.
 */
export function ownQueueEnv(): Record<string, string> {
  return { QUEUE_PREFIX: `e2e-${Date.now().toString(36)}-${process.pid}` };
}
