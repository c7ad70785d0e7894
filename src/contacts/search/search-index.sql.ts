import { Dialect, SqlRunner, insertIgnore, upsertAdd } from '../../database/sql-dialect';
import { GramRange, gramChanges, gramsOfText } from './search-grams';

/**
 * The statements that maintain the substring index, shared by the app's write paths, the
 * backfill migration and the bench seeding. Each works set-based: a fixed number of statements
 * for any number of contacts (split only to stay under the drivers' parameter limits).
 */
export const GRAMS_TABLE = 'contact_search_grams';
export const KEYS_TABLE = 'contact_search_keys';

// 3 parameters a row: 30,000 stays under SQLite's 32,766.
const GRAM_ROWS_PER_STATEMENT = 10_000;

export interface IndexedText {
  key: number;
  text: string;
}

export interface TextChange {
  key: number;
  before: string;
  after: string;
}

function* parts<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** Inserts (gram, contact key) rows of a tenant; rows it already holds are left as they are. */
export async function insertGrams(
  run: SqlRunner,
  dialect: Dialect,
  tenantId: string,
  rows: [number, number][],
) {
  for (const part of parts(rows, GRAM_ROWS_PER_STATEMENT)) {
    await run(
      `${insertIgnore(dialect)} ${GRAMS_TABLE} (tenant_id, gram, contact_key) VALUES ${part.map(() => '(?, ?, ?)').join(', ')}`,
      part.flatMap(([gram, key]) => [tenantId, gram, key]),
    );
  }
}

/**
 * The DELETE of some (gram, contact key) rows of a tenant. MariaDB 10.11 range-scans a row IN of
 * one element on tenant_id alone: the tenant's whole index, every row locked until commit (48M
 * rows at 1M contacts, for a rename that changes one gram). One pair gets plain equalities.
 */
export function deleteGramsStatement(
  tenantId: string,
  rows: [number, number][],
): { sql: string; parameters: unknown[] } {
  const match =
    rows.length === 1
      ? 'gram = ? AND contact_key = ?'
      : `(gram, contact_key) IN (${rows.map(() => '(?, ?)').join(', ')})`;
  return {
    sql: `DELETE FROM ${GRAMS_TABLE} WHERE tenant_id = ? AND ${match}`,
    parameters: [tenantId, ...rows.flat()],
  };
}

async function deleteGrams(run: SqlRunner, tenantId: string, rows: [number, number][]) {
  for (const part of parts(rows, GRAM_ROWS_PER_STATEMENT)) {
    const { sql, parameters } = deleteGramsStatement(tenantId, part);
    await run(sql, parameters);
  }
}

/** Indexes contacts that have no grams yet. */
export function indexTexts(
  run: SqlRunner,
  dialect: Dialect,
  tenantId: string,
  texts: IndexedText[],
) {
  const rows = texts.flatMap(({ key, text }) =>
    gramsOfText(text).map((gram): [number, number] => [gram, key]),
  );
  return insertGrams(run, dialect, tenantId, rows);
}

/** Moves contacts' grams from their old text to their new one, touching only the difference. */
export async function reindexTexts(
  run: SqlRunner,
  dialect: Dialect,
  tenantId: string,
  changes: TextChange[],
) {
  const removed: [number, number][] = [];
  const added: [number, number][] = [];
  for (const { key, before, after } of changes) {
    if (before === after) continue;
    const diff = gramChanges(before, after);
    for (const gram of diff.removed) removed.push([gram, key]);
    for (const gram of diff.added) added.push([gram, key]);
  }
  await deleteGrams(run, tenantId, removed);
  await insertGrams(run, dialect, tenantId, added);
}

/** Removes contacts from the index: a deleted contact is never a candidate again. */
export function unindexTexts(run: SqlRunner, tenantId: string, texts: IndexedText[]) {
  return deleteGrams(
    run,
    tenantId,
    texts.flatMap(({ key, text }) =>
      gramsOfText(text).map((gram): [number, number] => [gram, key]),
    ),
  );
}

/**
 * Reserves `count` consecutive contact keys of a tenant and returns the first. The row lock
 * taken by the upsert lasts until the caller's transaction ends, so that transaction should be
 * short (the app reserves blocks, not single keys).
 */
export async function reserveKeys(
  run: SqlRunner,
  dialect: Dialect,
  tenantId: string,
  count: number,
): Promise<number> {
  await run(upsertAdd(dialect, KEYS_TABLE, ['tenant_id'], 'next_key', 1), [tenantId, count]);
  const rows = (await run(`SELECT next_key AS nextKey FROM ${KEYS_TABLE} WHERE tenant_id = ?`, [
    tenantId,
  ])) as { nextKey: number | string }[];
  return Number(rows[0].nextKey) - count;
}

/**
 * Contact keys in the first (rarest) range that also hold a gram of each other range: a
 * lookup by primary key per posting of the first. Only exact grams are joined (a range is a
 * prefix term's only probe). `table` lets the layout bench run it on its scratch tables.
 */
export function intersectGramsStatement(
  tenant: unknown,
  ranges: GramRange[],
  table = GRAMS_TABLE,
): { sql: string; parameters: unknown[] } {
  const [first, ...others] = ranges;
  const joins = others
    .map(
      (_, i) =>
        `JOIN ${table} g${i + 1} ON g${i + 1}.tenant_id = g0.tenant_id AND g${i + 1}.gram = ? AND g${i + 1}.contact_key = g0.contact_key`,
    )
    .join(' ');
  return {
    sql: `SELECT DISTINCT g0.contact_key AS k FROM ${table} g0 ${joins} WHERE g0.tenant_id = ? AND g0.gram BETWEEN ? AND ?`,
    parameters: [...others.map((range) => range.from), tenant, first.from, first.to],
  };
}
