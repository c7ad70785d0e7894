import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { api, apiUrl } from './api';
import { backendEnv, freshSqliteUrl } from './backend';
import { runToExit } from './server';
import { join } from 'node:path';
import { requiredEnv, testTarget } from './test-target';

type Headers = Record<string, string>;

export const EVENT_ID = /^evt_[0-9A-HJKMNP-TV-Z]{26}$/;

export interface ContactEvent {
  id: string;
  type: string;
  contactId: string;
  occurredAt: string;
}

export interface ChangePage {
  events: ContactEvent[];
  nextCursor: string;
}

/** GET /v1/contacts/changes, asserting a 200. */
export async function changes(
  headers: Headers,
  after?: string,
  options: { pageSize?: number; url?: string } = {},
): Promise<ChangePage> {
  const query: Record<string, string> = {};
  if (after !== undefined) query.after = after;
  if (options.pageSize !== undefined) query.pageSize = String(options.pageSize);
  const response = await api(options.url ?? apiUrl())
    .get('/v1/contacts/changes')
    .query(query)
    .set(headers);
  if (response.status !== 200) {
    throw new Error(`changes: ${response.status} ${JSON.stringify(response.body)}`);
  }
  const body = response.body as ChangePage;
  expect(typeof body.nextCursor).toBe('string');
  expect(body.nextCursor).not.toBe('');
  return body;
}

/** Reads every page after `after` until an empty page; returns the events and the last cursor. */
export async function drain(headers: Headers, after?: string, url?: string) {
  const events: ContactEvent[] = [];
  let cursor = after;
  for (;;) {
    const page = await changes(headers, cursor, { url });
    events.push(...page.events);
    cursor = page.nextCursor;
    if (page.events.length === 0) return { events, cursor };
  }
}

/**
 * Polls the feed from `after` until `count` events arrived (the sequencer positions committed
 * events within a fraction of a second), then checks that nothing more follows.
 */
export async function nextEvents(
  headers: Headers,
  after: string | undefined,
  count: number,
  options: { url?: string; timeoutMs?: number } = {},
) {
  const events: ContactEvent[] = [];
  let cursor = after;
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  while (events.length < count) {
    if (Date.now() > deadline) {
      throw new Error(`expected ${count} events, got ${JSON.stringify(events)}`);
    }
    const page = await changes(headers, cursor, { url: options.url });
    events.push(...page.events);
    cursor = page.nextCursor;
    if (page.events.length === 0) await new Promise((r) => setTimeout(r, 50));
  }
  // Time for a stray extra event to be positioned: none may follow.
  await new Promise((r) => setTimeout(r, 400));
  const rest = await drain(headers, cursor, options.url);
  events.push(...rest.events);
  return { events, cursor: rest.cursor };
}

/** The head of the feed now: a cursor after everything committed so far. */
export async function headCursor(headers: Headers, url?: string): Promise<string> {
  await new Promise((r) => setTimeout(r, 300));
  return (await drain(headers, undefined, url)).cursor;
}

export const summary = (events: ContactEvent[]) => events.map((e) => `${e.type} ${e.contactId}`);

/** A request a test receiver got. */
export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Status to answer for the n-th request (0-based) on a path; default 204. */
  respond: (handler: (req: Received, index: number) => number | 'hang') => void;
  waitFor: (predicate: (received: Received[]) => boolean, timeoutMs?: number) => Promise<void>;
  close: () => Promise<void>;
}

/** A local HTTP server that records webhook deliveries. */
export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  let handler: (req: Received, index: number) => number | 'hang' = () => 204;
  const hanging: (() => void)[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const entry = { path: request.url ?? '', headers: request.headers, body, at: Date.now() };
      received.push(entry);
      const status = handler(entry, received.length - 1);
      if (status === 'hang') {
        hanging.push(() => response.destroy());
        return;
      }
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    respond: (next) => (handler = next),
    waitFor: async (predicate, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > deadline) {
          throw new Error(
            `receiver timed out; got ${JSON.stringify(received.map((r) => [r.path, r.body]))}`,
          );
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: async () => {
      hanging.forEach((end) => end());
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

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

/**
 * Environment for a server with a database of its own and no Redis (in-process queue): for
 * tests whose sequencer, sweep or dispatcher must not be shared with the suite's server.
 * On MariaDB a database named after the test database plus `suffix` is created and migrated.
 */
export async function ownDatabaseEnv(suffix: string): Promise<Record<string, string>> {
  const { REDIS_URL: _redis, ...env } = backendEnv();
  void _redis;
  if (testTarget() === 'embedded') return { ...env, DATABASE_URL: freshSqliteUrl() };
  const url = new URL(requiredEnv('TEST_DATABASE_URL'));
  const database = `${url.pathname.slice(1)}_${suffix}`;
  const server = new URL(url.toString());
  server.pathname = '/';
  const connection = await createConnection(server.toString());
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await connection.query(
      `CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await connection.end();
  }
  url.pathname = `/${database}`;
  const databaseUrl = url.toString();
  const migration = await runToExit(MIGRATION_CLI, { ...env, DATABASE_URL: databaseUrl }, [
    'migration:run',
    '-d',
    MIGRATION_SOURCE,
  ]);
  if (migration.code !== 0) throw new Error(`migration:run failed:\n${migration.output}`);
  return { ...env, DATABASE_URL: databaseUrl };
}

/** Runs SQL straight against a server's database (as the test, not through the API). */
export async function runSql(databaseUrl: string, sql: string, params: unknown[] = []) {
  if (databaseUrl.startsWith('sqlite:')) {
    const source = new DataSource({
      type: 'better-sqlite3',
      database: databaseUrl.slice('sqlite:'.length),
      timeout: 10_000,
    });
    await source.initialize();
    try {
      return (await source.query(sql, params)) as unknown;
    } finally {
      await source.destroy();
    }
  }
  const connection = await createConnection(databaseUrl);
  try {
    return await connection.query(sql, params);
  } finally {
    await connection.end();
  }
}
