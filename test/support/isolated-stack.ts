import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { backendEnv } from './backend';
import { runToExit } from './server';
import { requiredEnv } from './test-target';

const ROOT = join(__dirname, '..', '..');
const MIGRATION_CLI = join(ROOT, 'node_modules', 'typeorm', 'cli.js');
const MIGRATION_SOURCE = join(ROOT, 'dist', 'src', 'database', 'migration-data-source.js');

/**
 * A MariaDB database and a Bull queue prefix of their own (on the test Redis db), so the
 * processes a spec starts share nothing with the suite's shared server: its worker takes none
 * of their jobs and its dispatch sweep never sees their imports. Returns their environment.
 */
export async function isolatedMariaDbStack(name: string): Promise<Record<string, string>> {
  const url = new URL(requiredEnv('TEST_DATABASE_URL'));
  const database = `${url.pathname.slice(1)}_${name}`;
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
  url.pathname = `/${database}`;
  const env = { ...backendEnv(), DATABASE_URL: url.toString(), QUEUE_PREFIX: `e2e-${name}` };
  const migration = await runToExit(MIGRATION_CLI, env, ['migration:run', '-d', MIGRATION_SOURCE]);
  if (migration.code !== 0) throw new Error(`migration:run failed:\n${migration.output}`);
  return env;
}

/** Drops what isolatedMariaDbStack created. */
export async function dropIsolatedDatabase(env: Record<string, string>): Promise<void> {
  const url = new URL(env.DATABASE_URL);
  const database = url.pathname.slice(1);
  url.pathname = '/';
  const connection = await createConnection(url.toString());
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
  } finally {
    await connection.end();
  }
}
