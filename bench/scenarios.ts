import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { LoadRequest } from './measure';
import type { RareTerm, SeededTenant } from './seed';

export interface Scenario {
  name: string;
  http: LoadRequest;
  /** The same query shape as raw SQL through mysql2: the database floor. */
  floor: (pool: Pool) => Promise<unknown>;
  /** The main statement, for EXPLAIN. */
  explain?: { sql: string; params: unknown[] };
}

const PAGE = 50;
const LIVE = "c.tenant_id = ? AND c.state = 'active'";
const ORDER = 'ORDER BY c.created_at DESC, c.id DESC LIMIT ' + (PAGE + 1);

/** The three follow-up reads every contact response needs, for a page of ids. */
async function aggregates(pool: Pool, tenantId: string, ids: string[]) {
  if (ids.length === 0) return;
  await pool.query('SELECT * FROM contact_identities WHERE tenant_id = ? AND contact_id IN (?)', [
    tenantId,
    ids,
  ]);
  await pool.query(
    'SELECT contact_id, tag_id FROM contact_tags WHERE tenant_id = ? AND contact_id IN (?) ORDER BY created_at, tag_id',
    [tenantId, ids],
  );
  await pool.query(
    'SELECT contact_id, field_id, value FROM contact_field_values WHERE tenant_id = ? AND contact_id IN (?)',
    [tenantId, ids],
  );
}

function page(sql: string, params: (tenantId: string) => unknown[]) {
  return async (pool: Pool, tenantId: string) => {
    const [rows] = await pool.query<RowDataPacket[]>(sql, params(tenantId));
    await aggregates(
      pool,
      tenantId,
      rows.slice(0, PAGE).map((r) => r.id as string),
    );
  };
}

export function buildScenarios(
  tenant: SeededTenant,
  deep: { token: string; createdAt: string; id: string },
  rare: RareTerm[],
  createdEarlier = 0,
): Scenario[] {
  const t = tenant.tenantId;
  const ids = tenant.contactIds;
  const sampleIds = Array.from(
    { length: 1000 },
    (_, i) => ids[Math.floor((i * ids.length) / 1000)],
  );
  const tagId = tenant.tagIds[3];

  const listSql = `SELECT c.* FROM contacts c WHERE ${LIVE} ${ORDER}`;
  const deepSql = `SELECT c.* FROM contacts c WHERE ${LIVE} AND (c.created_at < ? OR (c.created_at = ? AND c.id < ?)) ${ORDER}`;
  // The shapes ContactsRepository.list issues for dense filters in createdAt order: the
  // filter's index read in order (it holds the contact's created_at), joined to the contacts.
  const DRIVEN_ORDER = 'ORDER BY d.contact_created_at DESC, d.contact_id DESC LIMIT ' + (PAGE + 1);
  const fieldSql = `SELECT c.* FROM contacts c INNER JOIN contact_field_values d ON d.tenant_id = c.tenant_id AND d.contact_id = c.id WHERE ${LIVE} AND d.field_id = ? AND d.value_key = ? ${DRIVEN_ORDER}`;
  const tagSql = `SELECT c.* FROM contacts c INNER JOIN contact_tags d ON d.tenant_id = c.tenant_id AND d.contact_id = c.id WHERE ${LIVE} AND d.tag_id = ? ${DRIVEN_ORDER}`;
  // A search first walks up to the key of the 4,000th contact (the window); a common term fills
  // the page there. A rare one then costs a scan of the tenant and an id lookup.
  const windowKeySql = `SELECT w.id, w.created_at, COUNT(*) OVER () AS n FROM (SELECT c.id, c.created_at FROM contacts c WHERE ${LIVE} ORDER BY c.created_at DESC, c.id DESC LIMIT 4000) w ORDER BY w.created_at ASC, w.id ASC LIMIT 1`;
  const windowSql = `SELECT c.* FROM contacts c WHERE ${LIVE} AND INSTR(c.search_text, ?) > 0 AND (c.created_at > ? OR (c.created_at = ? AND c.id >= ?)) ${ORDER}`;
  const candidateSql = `SELECT c.id FROM contacts c WHERE c.tenant_id = ? AND INSTR(c.search_text, ?) > 0 LIMIT 2001`;
  const searchFloor = async (pool: Pool, term: string) => {
    const [[key]] = await pool.query<RowDataPacket[]>(windowKeySql, [t]);
    const [head] = await pool.query<RowDataPacket[]>(windowSql, [
      t,
      term,
      key.created_at,
      key.created_at,
      key.id,
    ]);
    if (head.length > PAGE)
      return aggregates(
        pool,
        t,
        head.slice(0, PAGE).map((r) => r.id as string),
      );
    const [rows] = await pool.query<RowDataPacket[]>(candidateSql, [t, term]);
    const ids = rows.map((r) => r.id as string);
    if (ids.length === 0) return;
    await page(
      `SELECT c.* FROM contacts c WHERE ${LIVE} AND c.id IN (?) AND INSTR(c.search_text, ?) > 0 ${ORDER}`,
      (tid) => [tid, ids, term],
    )(pool, t);
  };
  const countSql = `SELECT COUNT(*) AS n FROM contacts c WHERE ${LIVE}`;
  const countersSql =
    "SELECT SUM(n) AS n FROM contact_counts WHERE tenant_id = ? AND bucket = 'active'";
  // GET /v1/tags: the tenant's tags by name, and their counters summed per tag.
  const tagsSql = 'SELECT * FROM tags WHERE tenant_id = ? ORDER BY name_key, id';
  const tagCountsSql =
    'SELECT tag_id, SUM(n) AS n FROM tag_counts WHERE tenant_id = ? GROUP BY tag_id';
  let created = 0;
  const runOffset = (Math.floor(Date.now() / 1000) % 900) * 10_000;

  const createFloor = async (pool: Pool) => {
    // Distinct from the rows of earlier runs too (--reuse-seed keeps them).
    const n = created++ + runOffset;
    const id = `con_floor${String(n).padStart(20, '0')}`;
    const phone = `+4852${String(n).padStart(7, '0')}`;
    const connection = await pool.getConnection();
    try {
      await connection.beginTransaction();
      await connection.query(
        "SELECT contact_id FROM contact_identities WHERE tenant_id = ? AND channel = 'whatsapp' AND live_address = ?",
        [t, phone],
      );
      await connection.query(
        "INSERT INTO contacts (tenant_id, id, name, name_sort, state, search_text, created_at, updated_at) VALUES (?, ?, 'Bench Create', 'bench create', 'active', ?, NOW(3), NOW(3))",
        [t, id, phone],
      );
      await connection.query(
        "INSERT INTO contact_identities (tenant_id, id, contact_id, channel, address, live_address) VALUES (?, ?, ?, 'whatsapp', ?, ?)",
        [t, `idn_floor${String(n).padStart(20, '0')}`, id, phone, phone],
      );
      await connection.commit();
    } catch (error) {
      // Else the pool hands out a connection with the transaction, and its locks, still open.
      await connection.rollback();
      throw error;
    } finally {
      connection.release();
    }
  };
  const patchFloor = async (pool: Pool) => {
    const id = sampleIds[Math.floor(Math.random() * sampleIds.length)];
    const connection = await pool.getConnection();
    try {
      await connection.beginTransaction();
      await connection.query(
        "SELECT * FROM contacts WHERE tenant_id = ? AND id = ? AND state <> 'deleted' FOR UPDATE",
        [t, id],
      );
      await connection.query(
        'UPDATE contacts SET name = ?, name_sort = ?, updated_at = NOW(3), version = version + 1 WHERE tenant_id = ? AND id = ?',
        [`Bench Patch ${created}`, `bench patch ${created}`, t, id],
      );
      await connection.commit();
    } catch (error) {
      // Else the pool hands out a connection with the transaction, and its locks, still open.
      await connection.rollback();
      throw error;
    } finally {
      connection.release();
    }
  };

  const scenario = (
    name: string,
    http: LoadRequest,
    sql: string | undefined,
    params: unknown[],
    floor?: (pool: Pool) => Promise<unknown>,
  ): Scenario => ({
    name,
    http,
    floor: floor ?? ((pool) => page(sql!, () => params)(pool, t)),
    explain: sql ? { sql, params } : undefined,
  });

  const scenarios = [
    scenario(
      'get contact by id',
      { method: 'GET', paths: sampleIds.map((id) => `/v1/contacts/${id}`) },
      'SELECT c.* FROM contacts c WHERE c.tenant_id = ? AND c.id = ?',
      [t, sampleIds[0]],
      async (pool) => {
        const id = sampleIds[Math.floor(Math.random() * sampleIds.length)];
        await pool.query(
          "SELECT * FROM contacts WHERE tenant_id = ? AND id = ? AND state <> 'deleted'",
          [t, id],
        );
        await aggregates(pool, t, [id]);
      },
    ),
    scenario('list, first page', { method: 'GET', paths: ['/v1/contacts'] }, listSql, [t]),
    scenario(
      'list, page 500 by token',
      { method: 'GET', paths: [`/v1/contacts?pageToken=${encodeURIComponent(deep.token)}`] },
      deepSql,
      [t, deep.createdAt, deep.createdAt, deep.id],
    ),
    scenario(
      'customFields filter',
      { method: 'GET', paths: ['/v1/contacts?customFields%5BlifecycleStage%5D=customer'] },
      fieldSql,
      [t, 'cf_lifecycle_stage', 'customer'],
    ),
    scenario('tagIds filter', { method: 'GET', paths: [`/v1/contacts?tagIds=${tagId}`] }, tagSql, [
      t,
      tagId,
    ]),
    ...rare.map(({ kind, term }) =>
      scenario(
        `search, rare term (1 match, ${kind})`,
        { method: 'GET', paths: [`/v1/contacts?search=${encodeURIComponent(term)}`] },
        candidateSql,
        [t, term],
        (pool) => searchFloor(pool, term),
      ),
    ),
    scenario(
      'search, common term',
      { method: 'GET', paths: [`/v1/contacts?search=${tenant.commonTerm}`] },
      windowSql,
      [t, tenant.commonTerm, '2000-01-01', '2000-01-01', ''],
      (pool) => searchFloor(pool, tenant.commonTerm),
    ),
    // Terms built to defeat an n-gram index: every 3-gram common but few or no matches, a term
    // too short for 3-grams, and a common term whose matches the first window excludes.
    ...['600123456', 'example.comx', 'nowak anna', 'zq'].map((term) =>
      scenario(
        `search, adversarial "${term}"`,
        { method: 'GET', paths: [`/v1/contacts?search=${encodeURIComponent(term)}`] },
        candidateSql,
        [t, term],
        (pool) => searchFloor(pool, term),
      ),
    ),
    scenario(
      'search, common term + createdBefore excluding the window',
      {
        method: 'GET',
        paths: [`/v1/contacts?search=${tenant.commonTerm}&createdBefore=2025-12-01T00:00:00Z`],
      },
      undefined,
      [],
      (pool) => searchFloor(pool, tenant.commonTerm),
    ),
    scenario('count', { method: 'GET', paths: ['/v1/contacts/count'] }, countSql, [t], (pool) =>
      pool.query(countSql, [t]),
    ),
    scenario(
      'count from the counters',
      { method: 'GET', paths: ['/v1/contacts/count'] },
      countersSql,
      [t],
      (pool) => pool.query(countersSql, [t]),
    ),
    scenario('list tags', { method: 'GET', paths: ['/v1/tags'] }, tagCountsSql, [t], (pool) =>
      Promise.all([pool.query(tagsSql, [t]), pool.query(tagCountsSql, [t])]),
    ),
    scenario(
      'create contact',
      {
        method: 'POST',
        paths: ['/v1/contacts'],
        // Distinct per request (load run and counter) and from earlier runs' creates: no 409.
        makeBody: (n, run) =>
          JSON.stringify({
            name: 'Bench Create',
            phone: `+4851${run}${String((createdEarlier + n) % 1_000_000).padStart(6, '0')}`,
          }),
      },
      undefined,
      [],
      createFloor,
    ),
    // The cost of Idempotency-Key (a fresh key each time: claim, then the kept response in the
    // create's transaction) and of If-Match, next to the same requests without the header.
    scenario(
      'create contact, Idempotency-Key',
      {
        method: 'POST',
        paths: ['/v1/contacts'],
        makeBody: (n, run) =>
          JSON.stringify({
            name: 'Bench Create',
            phone: `+4853${run}${String((createdEarlier + n) % 1_000_000).padStart(6, '0')}`,
          }),
        makeHeaders: (n, run) => ({ 'Idempotency-Key': `bench-${Date.now()}-${run}-${n}` }),
      },
      undefined,
      [],
      createFloor,
    ),
    scenario(
      'update contact (PATCH)',
      {
        method: 'PATCH',
        paths: sampleIds.map((id) => `/v1/contacts/${id}`),
        makeBody: (n) => JSON.stringify({ name: `Bench Patch ${n}` }),
      },
      undefined,
      [],
      patchFloor,
    ),
    scenario(
      'update contact (PATCH), If-Match',
      {
        method: 'PATCH',
        paths: sampleIds.map((id) => `/v1/contacts/${id}`),
        makeBody: (n) => JSON.stringify({ name: `Bench Patch ${n}` }),
        makeHeaders: () => ({ 'If-Match': '*' }),
      },
      undefined,
      [],
      patchFloor,
    ),
    scenario(
      'add tag to contact',
      {
        method: 'POST',
        paths: sampleIds.map(
          (id, i) => `/v1/contacts/${id}/tags/${tenant.tagIds[i % tenant.tagIds.length]}`,
        ),
      },
      undefined,
      [],
      async (pool) => {
        const i = Math.floor(Math.random() * sampleIds.length);
        const id = sampleIds[i];
        const tag = tenant.tagIds[i % tenant.tagIds.length];
        const connection = await pool.getConnection();
        try {
          await connection.beginTransaction();
          await connection.query(
            "SELECT id FROM contacts WHERE tenant_id = ? AND id = ? AND state <> 'deleted'",
            [t, id],
          );
          await connection.query('SELECT id FROM tags WHERE tenant_id = ? AND id = ?', [t, tag]);
          await connection.query(
            'SELECT 1 FROM contact_tags WHERE tenant_id = ? AND contact_id = ? AND tag_id = ?',
            [t, id, tag],
          );
          await connection.commit();
        } catch (error) {
          await connection.rollback();
          throw error;
        } finally {
          connection.release();
        }
      },
    ),
  ];
  // The writes put thousands of new contacts, none with the filtered value or the common term,
  // at the head of the default order: where a walk for a dense filter goes furthest.
  const afterWrites = ['customFields filter', 'tagIds filter', 'search, common term'].map(
    (name) => ({ ...scenarios.find((s) => s.name === name)!, name: `${name}, after the writes` }),
  );
  return [...scenarios, ...afterWrites];
}
