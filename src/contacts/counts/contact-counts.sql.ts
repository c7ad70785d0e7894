import { Dialect, SqlRunner, upsertAdd } from '../../database/sql-dialect';

/** The buckets a count reads: live contacts, archived or not. */
export type CountBucket = 'active' | 'archived';
export type CountDeltas = Partial<Record<CountBucket, number>>;

export const COUNTS_TABLE = 'contact_counts';

/**
 * Shards per tenant and bucket. A write adds its delta to one shard chosen at random, so
 * concurrent writers of a tenant rarely wait on the same row; a count sums the shards.
 */
export const COUNT_SHARDS = 16;

/** Adds deltas to a tenant's counters: one statement, in the caller's transaction. */
export async function addCounts(
  run: SqlRunner,
  dialect: Dialect,
  tenantId: string,
  deltas: CountDeltas,
): Promise<void> {
  // Sorted by bucket: two writers lock shared rows in one order, which cannot deadlock.
  const rows = (['active', 'archived'] as const)
    .filter((bucket) => (deltas[bucket] ?? 0) !== 0)
    .map((bucket) => [tenantId, bucket, Math.floor(Math.random() * COUNT_SHARDS), deltas[bucket]]);
  if (rows.length === 0) return;
  await run(
    upsertAdd(dialect, COUNTS_TABLE, ['tenant_id', 'bucket', 'shard'], 'n', rows.length),
    rows.flat(),
  );
}
