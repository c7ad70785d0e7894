import { createWriteStream, openAsBlob } from 'node:fs';
import { once } from 'node:events';
import type { Pool } from 'mysql2/promise';
import { monotonicFactory } from 'ulid';
import { FIRST_NAMES, LAST_NAMES, STAGES, STORES, TAG_NAMES, seededRandom } from './random';

const COLUMNS = ['name', 'phone', 'email', 'lifecycleStage', 'preferredStore', 'tags'];

interface CsvRow {
  name: string;
  phone: string;
  email: string;
  stage: string;
  store: string;
  tags: string[];
}

function* rows(count: number, seed: number): Generator<CsvRow> {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  for (let i = 0; i < count; i++) {
    const tags = new Set<string>();
    const tagCount = Math.floor(random() * 3);
    while (tags.size < tagCount) tags.add(pick(TAG_NAMES));
    yield {
      name: `${pick(FIRST_NAMES)} ${pick(LAST_NAMES)}`,
      phone: `+48${700000000 + i}`,
      email: `import${String(i).padStart(7, '0')}@example.com`,
      stage: pick(STAGES),
      store: pick(STORES),
      tags: [...tags],
    };
  }
}

/** Writes the benchmark CSV: name, phone, email, two custom fields, tags. */
export async function writeCsv(path: string, count: number, seed: number): Promise<void> {
  const out = createWriteStream(path);
  out.write(COLUMNS.join(',') + '\n');
  for (const r of rows(count, seed)) {
    const line = `${r.name},${r.phone},${r.email},${r.stage},${r.store},${r.tags.join(';')}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

export async function uploadCsv(baseUrl: string, token: string, path: string): Promise<string> {
  const form = new FormData();
  form.append('file', await openAsBlob(path, { type: 'text/csv' }), 'contacts.csv');
  const response = await fetch(`${baseUrl}/v1/contacts/import`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}` },
    body: form,
  });
  const body = (await response.json()) as { importId?: string };
  if (response.status !== 202 || !body.importId) {
    throw new Error(`upload failed: ${response.status} ${JSON.stringify(body)}`);
  }
  return body.importId;
}

export interface ImportStatus {
  status: string;
  totalRows: number;
  processedRows: number;
  createdCount: number;
  failedCount: number;
}

export async function waitForImport(
  baseUrl: string,
  token: string,
  importId: string,
  onTick?: () => void,
): Promise<ImportStatus> {
  for (;;) {
    const response = await fetch(`${baseUrl}/v1/contacts/imports/${importId}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const status = (await response.json()) as ImportStatus;
    onTick?.();
    if (status.status === 'completed' || status.status === 'failed') return status;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * The baseline: the same rows written with plain multi-row INSERTs into the same tables (tags,
 * contacts, identities, values, links), without parsing, validation or matching.
 */
export async function plainInsert(pool: Pool, tenantId: string, count: number, seed: number) {
  const nextId = monotonicFactory(seededRandom(seed + 1));
  const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
  const tagIds = new Map(TAG_NAMES.map((name) => [name, `tag_${nextId()}`]));
  await pool.query(
    'INSERT INTO tags (tenant_id, id, name, name_key, created_at, created_by) VALUES ?',
    [[...tagIds].map(([name, id]) => [tenantId, id, name, name, now, 'usr_bench'])],
  );
  const batch = 2000;
  let contacts: unknown[][] = [];
  let identities: unknown[][] = [];
  let values: unknown[][] = [];
  let links: unknown[][] = [];
  const flush = async () => {
    if (contacts.length === 0) return;
    await pool.query(
      'INSERT INTO contacts (tenant_id, id, name, name_sort, state, search_text, created_at, updated_at) VALUES ?',
      [contacts],
    );
    await pool.query(
      'INSERT INTO contact_identities (tenant_id, id, contact_id, channel, address, live_address) VALUES ?',
      [identities],
    );
    await pool.query(
      'INSERT INTO contact_field_values (tenant_id, contact_id, contact_created_at, field_id, value, value_key) VALUES ?',
      [values],
    );
    if (links.length > 0) {
      await pool.query(
        'INSERT INTO contact_tags (tenant_id, contact_id, contact_created_at, tag_id, created_at) VALUES ?',
        [links],
      );
    }
    contacts = [];
    identities = [];
    values = [];
    links = [];
  };
  for (const r of rows(count, seed)) {
    const id = `con_${nextId()}`;
    contacts.push([
      tenantId,
      id,
      r.name,
      r.name.toLowerCase(),
      'active',
      `${r.name.toLowerCase()}\u0001${r.email}\u0001${r.phone}`,
      now,
      now,
    ]);
    identities.push([tenantId, `idn_${nextId()}`, id, 'whatsapp', r.phone, r.phone]);
    values.push(
      [tenantId, id, now, 'cf_email', r.email, r.email],
      [tenantId, id, now, 'cf_lifecycle_stage', r.stage, r.stage],
      [tenantId, id, now, 'cf_preferred_store', r.store, r.store.toLowerCase()],
    );
    for (const tag of r.tags) links.push([tenantId, id, now, tagIds.get(tag), now]);
    if (contacts.length >= batch) await flush();
  }
  await flush();
}
