import { SqlRunner } from '../../database/sql-dialect';

export const TAG_COUNTS_TABLE = 'tag_counts';

/**
 * Shards per tag. A write adds its delta to one shard chosen at random, so concurrent writers
 * labeling contacts with one popular tag rarely wait on the same row; a count sums the shards.
 */
export const TAG_COUNT_SHARDS = 16;

/** Tags per statement: a few thousand placeholders, under every driver's limit. */
const TAGS_PER_STATEMENT = 500;

function chunks<T>(items: T[], size = TAGS_PER_STATEMENT): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

/**
 * Creates the shard rows of new tags, at zero. Every counted tag has all its rows, so a write
 * only ever updates existing rows: no insert races between writers, and a tag the backfill has
 * not reached yet (no rows) is left to the backfill, which counts it whole.
 */
export async function createTagCounters(
  run: SqlRunner,
  tenantId: string,
  tagIds: string[],
): Promise<void> {
  const shards = Array.from({ length: TAG_COUNT_SHARDS }, (_, shard) => shard);
  for (const part of chunks(tagIds, Math.floor(TAGS_PER_STATEMENT / 4))) {
    const rows = part.flatMap((tagId) => shards.map((shard) => [tenantId, tagId, shard, 0]));
    await run(
      `INSERT INTO ${TAG_COUNTS_TABLE} (tenant_id, tag_id, shard, n) VALUES ${rows.map(() => '(?, ?, ?, ?)').join(', ')}`,
      rows.flat(),
    );
  }
}

/**
 * Adds each tag's delta to one shard of its counter, picked at random per statement: one
 * UPDATE per 500 tags, in the caller's transaction. It reads no value first, so concurrent
 * writers each add theirs under the row lock; rows are taken in key order, which cannot
 * deadlock. Tags without counter rows (deleted, or not backfilled yet) are skipped.
 */
export async function addToTagCounters(
  run: SqlRunner,
  tenantId: string,
  deltas: Map<string, number>,
): Promise<void> {
  const changed = [...deltas]
    .filter(([, delta]) => delta !== 0)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  for (const part of chunks(changed)) {
    const shard = Math.floor(Math.random() * TAG_COUNT_SHARDS);
    await run(
      `UPDATE ${TAG_COUNTS_TABLE} SET n = n + CASE tag_id ${part.map(() => 'WHEN ? THEN ?').join(' ')} END
       WHERE tenant_id = ? AND shard = ? AND tag_id IN (${part.map(() => '?').join(', ')})`,
      [...part.flat(), tenantId, shard, ...part.map(([tagId]) => tagId)],
    );
  }
}

export async function deleteTagCounters(
  run: SqlRunner,
  tenantId: string,
  tagId: string,
): Promise<void> {
  await run(`DELETE FROM ${TAG_COUNTS_TABLE} WHERE tenant_id = ? AND tag_id = ?`, [
    tenantId,
    tagId,
  ]);
}

/** Labeled counts of every counted tag of the tenant: one grouped read of its shard rows. */
export async function readTagCounts(
  run: SqlRunner,
  tenantId: string,
): Promise<Map<string, number>> {
  const rows = (await run(
    `SELECT tag_id AS tagId, SUM(n) AS n FROM ${TAG_COUNTS_TABLE} WHERE tenant_id = ? GROUP BY tag_id`,
    [tenantId],
  )) as { tagId: string; n: number | string | null }[];
  return new Map(rows.map((row) => [row.tagId, Number(row.n ?? 0)]));
}

/** One entry per tag occurrence → delta per tag. */
export function deltasOf(tagIds: string[], sign: 1 | -1): Map<string, number> {
  const deltas = new Map<string, number>();
  for (const tagId of tagIds) deltas.set(tagId, (deltas.get(tagId) ?? 0) + sign);
  return deltas;
}
