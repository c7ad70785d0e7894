import { DataSource } from 'typeorm';
import { measureKeyOrder, recordKeyOrder } from '../../src/contacts/search/search-key-order';
import { sqlTimestamp } from '../../src/database/sql-timestamp';
import { isolatedServerEnv } from '../support/backend';
import { Contact, QueryValue, TestTenant } from '../support/contacts';
import { RunningServer, startServer } from '../support/server';
import { testTarget } from '../support/test-target';

const MINUTE = 60_000;

/**
 * With LIST_CANDIDATE_LIMIT=2 a term in three or more contacts is too common for an id lookup:
 * its page in createdAt order is read from one of its grams' postings in key order
 * (src/contacts/search/creation-order-walk.ts), which relies on keys following creation order.
 * The contacts' creation times are spread a minute apart in key order, so the walk stops early
 * instead of reading every posting, and the answers must still equal the exact ones.
 */
describe('a common term read from its postings in key order', () => {
  let server: RunningServer;
  let database: DataSource;
  const sharedUrl = process.env.E2E_API_URL;
  const tenant = new TestTenant();
  const byId = new Map<string, Contact>();
  const createdAt = new Map<string, number>();
  const base = Date.now() - 3 * 24 * 60 * MINUTE;

  beforeAll(async () => {
    const env = isolatedServerEnv();
    server = await startServer({ ...env, LIST_CANDIDATE_LIMIT: '2' });
    process.env.E2E_API_URL = server.url;
    database =
      testTarget() === 'embedded'
        ? new DataSource({
            type: 'better-sqlite3',
            database: env.DATABASE_URL.replace(/^sqlite:/, ''),
            timeout: 10_000,
          })
        : new DataSource({ type: 'mysql', url: process.env.TEST_DATABASE_URL });
    await database.initialize();

    // Matches, contacts holding only some of its grams, and a head of contacts without any.
    // More holders of "anna" than the walk's first read (128 postings).
    const names = [
      ...Array.from({ length: 8 }, (_, i) => [`Joanna Match ${i}`, `Joan ${i}`]),
      ...Array.from({ length: 140 }, (_, i) => [`Hanna Near ${i}`]),
      ...Array.from({ length: 12 }, (_, i) => [`Head Other ${i}`]),
    ].flat();
    for (let i = 0; i < names.length; i += 8) {
      const created = await Promise.all(
        names.slice(i, i + 8).map((name) => tenant.createContact({ name })),
      );
      for (const contact of created) byId.set(contact.id, contact);
    }
    // Creation times a minute apart, in key order: far wider than the order's slack.
    const rows: { id: string }[] = await database.query(
      'SELECT id FROM contacts WHERE tenant_id = ? ORDER BY search_key',
      [tenant.id],
    );
    for (const [i, { id }] of rows.entries()) await setCreatedAt(id, base + i * MINUTE);
    await tenant.archive(idNamed('Joanna Match 3'));
    await tenant.deleteContact(idNamed('Joanna Match 5'));
  }, 120_000);

  afterAll(async () => {
    process.env.E2E_API_URL = sharedUrl;
    await database?.destroy();
    await server?.stop();
  });

  function idNamed(name: string): string {
    return [...byId.values()].find((c) => c.name === name)!.id;
  }

  async function setCreatedAt(id: string, at: number) {
    createdAt.set(id, at);
    await database.query('UPDATE contacts SET created_at = ? WHERE tenant_id = ? AND id = ?', [
      sqlTimestamp(new Date(at)),
      tenant.id,
      id,
    ]);
  }

  /** What the exact check decides, in list order, from the whole bucket read without search. */
  async function expected(query: Record<string, QueryValue>, term: string): Promise<string[]> {
    const { search: _search, pageSize: _size, ...rest } = query;
    const all = await tenant.walk({ ...rest, pageSize: 1000 });
    return all.ids.filter((id) => byId.get(id)!.name!.toLowerCase().includes(term));
  }

  async function searched(query: Record<string, QueryValue>) {
    return (await tenant.walk(query)).ids;
  }

  it.each<[string, Record<string, QueryValue>]>([
    ['newest first, pages of 2', { pageSize: 2 }],
    ['newest first, one page', { pageSize: 50 }],
    ['oldest first, pages of 2', { pageSize: 2, orderDirection: 'asc' }],
    ['archived bucket', { pageSize: 2, archived: 'true' }],
  ])('%s: every match once, in order', async (_title, query) => {
    const want = await expected(query, 'joanna');
    expect(want.length).toBeGreaterThan(0);
    expect(await searched({ ...query, search: 'joanna' })).toEqual(want);
  });

  it('with createdAfter and createdBefore, in both directions', async () => {
    const from = new Date(base + 5 * MINUTE).toISOString();
    const to = new Date(base + 20 * MINUTE).toISOString();
    for (const orderDirection of ['desc', 'asc']) {
      for (const bounds of [
        { createdAfter: from },
        { createdBefore: to },
        { createdAfter: from, createdBefore: to },
      ]) {
        const query = { pageSize: 2, orderDirection, ...bounds };
        expect(await searched({ ...query, search: 'joanna' })).toEqual(
          await expected(query, 'joanna'),
        );
      }
    }
  });

  it('a term held by every posting of its gram, and one held by none', async () => {
    for (const query of [{ pageSize: 7 }, { pageSize: 7, orderDirection: 'asc' }]) {
      expect(await searched({ ...query, search: 'anna' })).toEqual(await expected(query, 'anna'));
    }
    expect(await searched({ pageSize: 3, search: 'joannax' })).toEqual([]);
  });

  it('a contact created out of key order is found once its order is measured', async () => {
    // An older version's long-lived key block: the match with the lowest key created last.
    const rows: { id: string }[] = await database.query(
      `SELECT id FROM contacts WHERE tenant_id = ? AND state = 'active' AND name LIKE 'Joanna%'
       ORDER BY search_key LIMIT 1`,
      [tenant.id],
    );
    const late = rows[0].id;
    await setCreatedAt(late, base + 24 * 60 * MINUTE);
    // What the migration records for keys handed out before the order held.
    const run = (sql: string, parameters: unknown[]) => database.query(sql, parameters);
    const order = await measureKeyOrder(run, tenant.id);
    expect(order.orderedFrom).toBeGreaterThan(0);
    await recordKeyOrder(run, tenant.id, order);

    for (const query of [{ pageSize: 2 }, { pageSize: 2, orderDirection: 'asc' }]) {
      const want = await expected(query, 'joanna');
      expect(want.includes(late)).toBe(true);
      expect(await searched({ ...query, search: 'joanna' })).toEqual(want);
    }
    expect((await tenant.page({ pageSize: 1, search: 'joanna' })).contacts[0].id).toBe(late);
  });
});
