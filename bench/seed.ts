import type { Pool, RowDataPacket } from 'mysql2/promise';
import { monotonicFactory } from 'ulid';
import { FIRST_NAMES, LAST_NAMES, STAGES, STORES, TAG_NAMES, seededRandom } from './random';

export interface SeededTenant {
  tenantId: string;
  contactIds: string[];
  tagIds: string[];
  /** A search term that matches exactly one contact (an email fragment). */
  rareTerm: string;
  /** A search term that matches many contacts. */
  commonTerm: string;
}

const ROWS_PER_INSERT = 2000;
const DAY_MS = 86_400_000;

function sqlTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

async function insertRows(pool: Pool, table: string, columns: string[], rows: unknown[][]) {
  if (rows.length === 0) return;
  await pool.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ?`, [rows]);
}

/**
 * Bulk-inserts `count` contacts into one tenant, the way the app would store them: a WhatsApp
 * identity each, email / lifecycle stage / store values, 0–3 of 20 tags. Reproducible from `seed`.
 */
export async function seedTenant(
  pool: Pool,
  tenantId: string,
  count: number,
  seed: number,
  phoneBase: number,
  onProgress?: (done: number) => void,
): Promise<SeededTenant> {
  const random = seededRandom(seed);
  const nextId = monotonicFactory(random);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const start = Date.UTC(2025, 0, 1);
  const step = Math.max(1, Math.floor((365 * DAY_MS) / Math.max(count, 1)));
  const created = sqlTime(start);

  const tagIds = TAG_NAMES.map(() => `tag_${nextId(start)}`);
  await insertRows(
    pool,
    'tags',
    ['tenant_id', 'id', 'name', 'name_key', 'created_at', 'created_by'],
    TAG_NAMES.map((name, i) => [tenantId, tagIds[i], name, name, created, 'usr_bench']),
  );
  await insertRows(
    pool,
    'custom_fields',
    [
      'tenant_id',
      'entity_type',
      'id',
      'field_key',
      'name',
      'name_key',
      'type',
      'created_at',
      'created_by',
    ],
    [
      [
        tenantId,
        'contact',
        'cf_lifecycle_stage',
        'lifecycleStage',
        'Lifecycle stage',
        'lifecycle stage',
        'text',
        created,
        'usr_bench',
      ],
      [
        tenantId,
        'contact',
        'cf_preferred_store',
        'preferredStore',
        'Preferred store',
        'preferred store',
        'text',
        created,
        'usr_bench',
      ],
    ],
  );

  const contactIds: string[] = [];
  for (let offset = 0; offset < count; offset += ROWS_PER_INSERT) {
    const contacts: unknown[][] = [];
    const identities: unknown[][] = [];
    const values: unknown[][] = [];
    const links: unknown[][] = [];
    for (let i = offset; i < Math.min(count, offset + ROWS_PER_INSERT); i++) {
      const at = start + i * step;
      const id = `con_${nextId(at)}`;
      contactIds.push(id);
      const name = `${pick(FIRST_NAMES)} ${pick(LAST_NAMES)}`;
      const email = `user${String(i).padStart(7, '0')}@example.com`;
      const phone = `+${phoneBase + i}`;
      const time = sqlTime(at);
      const searchText = [name.toLowerCase(), email, phone].join('\u0001');
      contacts.push([tenantId, id, name, name.toLowerCase(), 'active', searchText, time, time]);
      identities.push([tenantId, `idn_${nextId(at)}`, id, 'whatsapp', phone, phone]);
      const stage = pick(STAGES);
      const store = pick(STORES);
      values.push(
        [tenantId, id, time, 'cf_email', email, email],
        [tenantId, id, time, 'cf_lifecycle_stage', stage, stage],
        [tenantId, id, time, 'cf_preferred_store', store, store.toLowerCase()],
      );
      const tagCount = Math.floor(random() * 4);
      const chosen = new Set<string>();
      while (chosen.size < tagCount) chosen.add(pick(tagIds));
      for (const tagId of chosen) links.push([tenantId, id, time, tagId, time]);
    }
    await insertRows(
      pool,
      'contacts',
      ['tenant_id', 'id', 'name', 'name_sort', 'state', 'search_text', 'created_at', 'updated_at'],
      contacts,
    );
    await insertRows(
      pool,
      'contact_identities',
      ['tenant_id', 'id', 'contact_id', 'channel', 'address', 'live_address'],
      identities,
    );
    await insertRows(
      pool,
      'contact_field_values',
      ['tenant_id', 'contact_id', 'contact_created_at', 'field_id', 'value', 'value_key'],
      values,
    );
    await insertRows(
      pool,
      'contact_tags',
      ['tenant_id', 'contact_id', 'contact_created_at', 'tag_id', 'created_at'],
      links,
    );
    onProgress?.(Math.min(count, offset + ROWS_PER_INSERT));
  }
  return seededTenant(tenantId, count, contactIds, tagIds);
}

function seededTenant(
  tenantId: string,
  count: number,
  contactIds: string[],
  tagIds: string[],
): SeededTenant {
  return {
    tenantId,
    contactIds,
    tagIds,
    rareTerm: `user${String(Math.floor(count / 2)).padStart(7, '0')}@`,
    commonTerm: 'anna',
  };
}

/**
 * The tenant an earlier run seeded with the same count, read back from the database, or null.
 * Ids are ULIDs minted in seeding order, so ordering by id restores the seeded order; contacts
 * that earlier scenarios created carry later ids and are left out by the limit.
 */
export async function reuseSeededTenant(
  pool: Pool,
  tenantId: string,
  count: number,
): Promise<SeededTenant | null> {
  const [contacts] = await pool.query<RowDataPacket[]>(
    'SELECT id FROM contacts WHERE tenant_id = ? ORDER BY id LIMIT ?',
    [tenantId, count],
  );
  if (contacts.length < count) return null;
  const [tags] = await pool.query<RowDataPacket[]>(
    'SELECT id FROM tags WHERE tenant_id = ? ORDER BY id',
    [tenantId],
  );
  return seededTenant(
    tenantId,
    count,
    contacts.map((row) => row.id as string),
    tags.map((row) => row.id as string),
  );
}

/** The name the bench gives one seeded contact: no other contact's text holds a piece of it. */
const UNIQUE_NAME = 'Wojciech Brzęczyszczykiewicz';

export interface RareTerm {
  kind: 'email fragment' | 'phone digits' | 'name fragment';
  term: string;
}

/**
 * Terms that each match exactly one contact of the seeded tenant, one per kind of searchable
 * text. The name is given through the API (a no-op on a reused seed), so the index has it.
 */
export async function rareTerms(
  pool: Pool,
  tenant: SeededTenant,
  rename: (contactId: string, name: string) => Promise<void>,
): Promise<RareTerm[]> {
  const ids = tenant.contactIds;
  const [[identity]] = await pool.query<RowDataPacket[]>(
    'SELECT address FROM contact_identities WHERE tenant_id = ? AND contact_id = ?',
    [tenant.tenantId, ids[Math.floor(ids.length / 2)]],
  );
  await rename(ids[Math.floor(ids.length / 3)], UNIQUE_NAME);
  return [
    { kind: 'email fragment', term: tenant.rareTerm },
    // The last 9 digits: the seeded numbers share their leading digits, never these.
    { kind: 'phone digits', term: (identity.address as string).slice(-9) },
    { kind: 'name fragment', term: 'brzęczysz' },
  ];
}
