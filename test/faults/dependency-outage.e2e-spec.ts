import { as, newTenantId } from '../support/api';
import { backendEnv, freshSqliteUrl } from '../support/backend';
import { call, expectUnavailable, Reply, untilOk } from '../support/http-calls';
import { namesByPhone, numberedCsv, uploadCsv, waitForImport } from '../support/imports';
import { dropIsolatedDatabase, isolatedMariaDbStack } from '../support/isolated-stack';
import { RunningServer, startServer } from '../support/server';
import { TcpProxy } from '../support/tcp-proxy';
import { requiredEnv, testTarget } from '../support/test-target';

/** better-sqlite3 (no type package installed): the two calls the embedded case needs. */
function openSqlite(path: string): { exec(sql: string): void; close(): void } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Database = require('better-sqlite3') as new (path: string) => {
    exec(sql: string): void;
    close(): void;
  };
  return new Database(path);
}

const TIMEOUT_MS = 3000;
/** What a 503 may take beyond the deadline on a loaded 2-core machine. */
const SLACK_MS = 1500;

/** One request of every kind a client makes, on a tenant with a contact, a tag and a field. */
function everyOperation(ids: { contact: string; tag: string; field: string }) {
  const c = `/v1/contacts/${ids.contact}`;
  return [
    ['GET', '/v1/contacts'],
    ['GET', '/v1/contacts?search=ann&tagIds=' + ids.tag],
    ['GET', '/v1/contacts/count'],
    ['POST', '/v1/contacts', { name: 'During outage', phone: '+48512000999' }],
    ['GET', c],
    ['PATCH', c, { name: 'Renamed' }],
    ['POST', `${c}/archive`],
    ['POST', `${c}/unarchive`],
    ['PUT', `${c}/custom-fields/${ids.field}`, { value: 'x' }],
    ['POST', `${c}/tags/${ids.tag}`],
    ['DELETE', `${c}/tags/${ids.tag}`],
    ['DELETE', c],
    ['GET', '/v1/tags'],
    ['POST', '/v1/tags', { name: 'outage tag' }],
    ['DELETE', `/v1/tags/${ids.tag}`],
    ['GET', '/v1/contacts/custom-fields'],
    ['POST', '/v1/contacts/custom-fields', { name: 'Outage Field', type: 'text' }],
    ['PATCH', `/v1/contacts/custom-fields/${ids.field}`, { name: 'Renamed Field' }],
    ['DELETE', `/v1/contacts/custom-fields/${ids.field}`],
    ['GET', '/v1/properties/custom-fields'],
    ['GET', '/v1/contacts/imports/import_01J00000000000000000000000'],
  ] as [string, string, unknown?][];
}

async function seedTenant(url: string, headers: Record<string, string>) {
  const contact = await call(url, 'POST', '/v1/contacts', headers, { name: 'Ann' });
  const tag = await call(url, 'POST', '/v1/tags', headers, { name: 'vip' });
  const field = await call(url, 'POST', '/v1/contacts/custom-fields', headers, {
    name: 'Plan',
    type: 'text',
  });
  expect([contact.status, tag.status, field.status]).toEqual([201, 201, 201]);
  return { contact: contact.body.id, tag: tag.body.id, field: field.body.id } as Record<
    'contact' | 'tag' | 'field',
    string
  >;
}

const phone = (n: number) => `+4851${String(3_000_000 + n).padStart(7, '0')}`;

/** A contact written by one transaction across three tables: its row, identity and values. */
const fullContact = (n: number) => ({
  name: `Whole ${n}`,
  phone: phone(n),
  customFields: { cf_plan: 'gold', email: `whole${n}@example.com` },
});
/** As the API returns it. */
const fullFields = (n: number) => ({ plan: 'gold', email: `whole${n}@example.com` });

/**
 * Dependencies taken away mid-request and mid-import. On MariaDB + Redis a TCP proxy the test
 * controls sits between a server the spec starts and each dependency (test/support/tcp-proxy.ts),
 * on a database and queue of the spec's own. The embedded backend has no network dependency to
 * cut (SQLite is a file in the process, the queue is in-process), so there the database is taken
 * away the one way it can be: another process holding its write lock.
 */
describe('Dependency failures: 503 within the deadline, recovery without restart', () => {
  const servers: RunningServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    servers.length = 0;
  });

  if (testTarget() === 'mariadb') {
    const database = TcpProxy.for(requiredEnv('TEST_DATABASE_URL'));
    const redis = TcpProxy.for(requiredEnv('TEST_REDIS_URL'));
    let env: Record<string, string>;
    let direct: Record<string, string> | undefined;

    beforeAll(async () => {
      await Promise.all([database.start(), redis.start()]);
      const stack = await isolatedMariaDbStack('outage');
      direct = stack;
      env = {
        ...stack,
        DATABASE_URL: database.rewrite(stack.DATABASE_URL),
        REDIS_URL: redis.rewrite(stack.REDIS_URL),
        REQUEST_TIMEOUT_MS: String(TIMEOUT_MS),
        IMPORT_DISPATCH_SWEEP_MS: '500',
      };
    });
    afterEach(() => {
      database.restore();
      redis.restore();
    });
    afterAll(async () => {
      await Promise.all([database.stop(), redis.stop()]);
      if (direct) await dropIsolatedDatabase(direct);
    });

    it('database down: every operation answers 503 with Retry-After, ready names the database, and service returns by itself', async () => {
      const server = await startServer(env);
      servers.push(server);
      const headers = as(newTenantId());
      const ids = await seedTenant(server.url, headers);

      database.cut();
      const replies: Reply[] = [];
      for (const [method, path, body] of everyOperation(ids)) {
        replies.push(await call(server.url, method, path, headers, body));
      }
      const upload = await call(server.url, 'UPLOAD', '/v1/contacts/import', headers, 'name\nA\n');
      for (const reply of [...replies, upload]) expectUnavailable(reply, TIMEOUT_MS + SLACK_MS);
      expect(replies[0].body).toMatchObject({ dependency: 'database' });

      const ready = await call(server.url, 'GET', '/health/ready', {});
      expectUnavailable(ready, TIMEOUT_MS + SLACK_MS);
      expect(ready.body).toMatchObject({
        dependencies: ['database'],
        checks: { database: 'down', redis: 'up' },
      });
      expect(ready.body.detail).toMatch(/database/);
      expect(JSON.stringify(ready.body)).not.toMatch(/ECONN|127\.0\.0\.1|:\d{4}/);

      // Back without a restart: the same process serves every operation again.
      database.restore();
      await untilOk(() => call(server.url, 'GET', '/health/ready', {}), 15_000);
      const after = await call(server.url, 'GET', `/v1/contacts/${ids.contact}`, headers);
      expect(after.status).toBe(200);
      const created = await call(server.url, 'POST', '/v1/contacts', headers, { name: 'After' });
      expect(created.status).toBe(201);
      expect(server.process.exitCode).toBeNull();
    }, 90_000);

    it('database hanging: requests answer 503 at REQUEST_TIMEOUT_MS, and a write answered 503 commits nothing when the database answers again', async () => {
      const server = await startServer(env);
      servers.push(server);
      const headers = as(newTenantId());
      await seedTenant(server.url, headers);

      database.stall();
      const [list, write] = await Promise.all([
        call(server.url, 'GET', '/v1/contacts', headers),
        call(server.url, 'POST', '/v1/contacts', headers, fullContact(1)),
      ]);
      expectUnavailable(list, TIMEOUT_MS + SLACK_MS);
      expectUnavailable(write, TIMEOUT_MS + SLACK_MS);
      expect(list.ms).toBeGreaterThanOrEqual(TIMEOUT_MS / 2 - 100);

      // The statements held by the proxy reach the database now: the write must roll back.
      database.restore();
      await untilOk(() => call(server.url, 'GET', '/health/ready', {}), 15_000);
      const found = await call(server.url, 'GET', `/v1/contacts?search=Whole`, headers);
      expect(found.body).toMatchObject({ contacts: [] });
    }, 90_000);

    it('a database cut mid-transaction leaves nothing half-written: each contact is whole or absent', async () => {
      const server = await startServer(env);
      servers.push(server);
      const headers = as(newTenantId());
      await seedTenant(server.url, headers);
      const writes = Array.from({ length: 60 }, (_, n) => n);
      const replies: Reply[] = [];
      const cutter = (async () => {
        await new Promise((resolve) => setTimeout(resolve, 150));
        database.cut();
        await new Promise((resolve) => setTimeout(resolve, 1000));
        database.restore();
      })();
      // 4 at a time, so some writes are in flight at the moment of the cut.
      for (let i = 0; i < writes.length; i += 4) {
        const batch = writes.slice(i, i + 4);
        replies.push(
          ...(await Promise.all(
            batch.map((n) => call(server.url, 'POST', '/v1/contacts', headers, fullContact(n))),
          )),
        );
      }
      await cutter;
      const statuses = new Set(replies.map((r) => r.status));
      const odd = replies.filter((r) => r.status !== 201 && r.status !== 503);
      expect(odd.map((r) => [r.status, r.body as unknown])).toEqual([]);
      expect(statuses.has(503)).toBe(true);
      for (const reply of replies.filter((r) => r.status === 503)) {
        expectUnavailable(reply, TIMEOUT_MS + SLACK_MS);
      }

      await untilOk(() => call(server.url, 'GET', '/health/ready', {}), 15_000);
      const listed = await call(
        server.url,
        'GET',
        '/v1/contacts?pageSize=100&search=Whole',
        headers,
      );
      const contacts = listed.body.contacts as {
        name: string;
        identities: { metadata: { phoneNumber: string } }[];
        customFields: Record<string, string>;
      }[];
      const createdNames = replies
        .filter((r) => r.status === 201)
        .map((r) => r.body.name as string);
      expect(contacts.map((c) => c.name)).toEqual(expect.arrayContaining(createdNames));
      for (const contact of contacts) {
        const n = Number(contact.name.split(' ')[1]);
        expect(contact.identities.map((i) => i.metadata.phoneNumber)).toEqual([phone(n)]);
        expect(contact.customFields).toEqual(fullFields(n));
      }
    }, 120_000);

    it('a database cut mid-import: the import resumes after its last committed batch and ends with exact counts', async () => {
      const server = await startServer({ ...env, LOG_LEVEL: 'warn' });
      servers.push(server);
      const headers = as(newTenantId());
      const file = numberedCsv(12_000, 5_000_000);
      const importId = await uploadCsv(headers, file.csv, server.url);
      await waitForImport(headers, importId, {
        url: server.url,
        timeoutMs: 60_000,
        intervalMs: 20,
        done: (s) => s.processedRows >= 2000 || s.status === 'completed',
      });
      database.cut();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      database.restore();
      const finished = await waitForImport(headers, importId, {
        url: server.url,
        timeoutMs: 90_000,
        intervalMs: 250,
      });
      expect(finished).toMatchObject({
        status: 'completed',
        totalRows: 12_000,
        processedRows: 12_000,
        createdCount: file.created,
        updatedCount: file.updated,
        failedCount: file.failed,
      });
      expect(finished.errors.map((e) => e.row)).toEqual(file.failedRows);
      expect(await namesByPhone(headers, server.url)).toEqual(file.names);
    }, 150_000);

    it('Redis down: an upload is stored and answered 202 at once, and the import runs when Redis returns, with exact counts', async () => {
      const server = await startServer({ ...env, LOG_LEVEL: 'log' });
      servers.push(server);
      const headers = as(newTenantId());
      const file = numberedCsv(3000, 6_000_000);

      redis.cut();
      const ready = await call(server.url, 'GET', '/health/ready', {});
      expectUnavailable(ready, TIMEOUT_MS + SLACK_MS);
      expect(ready.body).toMatchObject({
        dependencies: ['redis'],
        checks: { database: 'up', redis: 'down' },
      });

      const upload = await call(server.url, 'UPLOAD', '/v1/contacts/import', headers, file.csv);
      expect(upload.status).toBe(202);
      expect(upload.ms).toBeLessThan(TIMEOUT_MS);
      const importId = upload.body.importId as string;
      // Stored, readable, and not lost while Redis stays away.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const waiting = await call(server.url, 'GET', `/v1/contacts/imports/${importId}`, headers);
      expect(waiting.status).toBe(200);
      expect(waiting.body).toMatchObject({ status: 'queued', processedRows: 0 });

      redis.restore();
      const finished = await waitForImport(headers, importId, {
        url: server.url,
        timeoutMs: 60_000,
        intervalMs: 200,
      });
      expect(finished).toMatchObject({
        status: 'completed',
        totalRows: 3000,
        processedRows: 3000,
        createdCount: file.created,
        updatedCount: file.updated,
        failedCount: file.failed,
      });
      expect(await namesByPhone(headers, server.url)).toEqual(file.names);
      expect(server.output()).toMatch(/import dispatched by sweep/);
    }, 120_000);
  } else {
    // better-sqlite3 waits for a lock synchronously, so no timer (the request deadline's
    // included) can fire meanwhile: the lock wait itself is held below REQUEST_TIMEOUT_MS, and
    // this checks the 503 comes within it.
    it('database locked by another process: writes answer 503 with Retry-After within the deadline, reads go on, and writes return when the lock does', async () => {
      const databaseUrl = freshSqliteUrl();
      const server = await startServer({
        ...backendEnv(),
        DATABASE_URL: databaseUrl,
        REQUEST_TIMEOUT_MS: String(TIMEOUT_MS),
      });
      servers.push(server);
      const headers = as(newTenantId());
      const ids = await seedTenant(server.url, headers);

      // Another process (this test) takes the write lock, as a backup tool or a second server
      // on the same file would.
      const other = openSqlite(databaseUrl.slice('sqlite:'.length));
      other.exec('BEGIN IMMEDIATE');
      try {
        const write = await call(server.url, 'POST', '/v1/contacts', headers, fullContact(1));
        expectUnavailable(write, TIMEOUT_MS + SLACK_MS);
        const read = await call(server.url, 'GET', `/v1/contacts/${ids.contact}`, headers);
        expect(read.status).toBe(200);
      } finally {
        other.exec('ROLLBACK');
        other.close();
      }
      const after = await call(server.url, 'POST', '/v1/contacts', headers, fullContact(2));
      expect(after.status).toBe(201);
      const found = await call(server.url, 'GET', '/v1/contacts?search=Whole', headers);
      expect((found.body.contacts as { name: string }[]).map((c) => c.name)).toEqual(['Whole 2']);
    }, 60_000);
  }
});
