import type { BackfillDatabase } from '../../contacts/search/search-backfill';
import type { SqlRunner } from '../../database/sql-dialect';
import { TAG_COUNTS_TABLE, TAG_COUNT_SHARDS, addToTagCounters } from './tag-counts.sql';

/** Tags counted per transaction. */
const TAGS_PER_BATCH = 100;

/**
 * Counts the tags that have no counter rows yet, a batch of tags per transaction, in
 * (tenant, id) order. A tag's rows are created and filled in one transaction, so a rerun after
 * an interruption continues with the tags left and nothing is counted twice.
 *
 * Safe next to live writes: the rows are inserted before the links are counted. A write that
 * updated the missing rows first holds a gap lock (InnoDB), so the insert waits for its commit
 * and the count sees its links; a later write waits on the new rows and adds after this commit.
 * SQLite runs one write transaction at a time.
 */
export async function backfillTagCounts(
  db: BackfillDatabase,
  onBatch?: (done: number) => void,
): Promise<number> {
  let done = 0;
  let after = { tenantId: '', id: '' };
  for (;;) {
    const tags = (await db.run(
      `SELECT t.tenant_id AS tenantId, t.id AS id FROM tags t
       WHERE (t.tenant_id > ? OR (t.tenant_id = ? AND t.id > ?))
         AND NOT EXISTS (SELECT 1 FROM ${TAG_COUNTS_TABLE} k WHERE k.tenant_id = t.tenant_id AND k.tag_id = t.id)
       ORDER BY t.tenant_id, t.id LIMIT ${TAGS_PER_BATCH}`,
      [after.tenantId, after.tenantId, after.id],
    )) as { tenantId: string; id: string }[];
    if (tags.length === 0) return done;
    after = tags[tags.length - 1];
    const byTenant = new Map<string, string[]>();
    for (const tag of tags) {
      byTenant.set(tag.tenantId, [...(byTenant.get(tag.tenantId) ?? []), tag.id]);
    }
    await db.inTransaction(async (run) => {
      for (const [tenantId, tagIds] of byTenant) await countTags(run, tenantId, tagIds);
    });
    done += tags.length;
    onBatch?.(done);
  }
}

/**
 * Creates the tags' counter rows, then adds the live contacts each one labels. The rows come
 * from INSERT … SELECT over tags, a locking read on InnoDB: a tag deleted since it was listed
 * gets none, and the transaction's snapshot starts with the count, after the rows exist.
 */
async function countTags(run: SqlRunner, tenantId: string, tagIds: string[]): Promise<void> {
  const list = tagIds.map(() => '?').join(', ');
  const shards = Array.from({ length: TAG_COUNT_SHARDS }, (_, shard) => `SELECT ${shard} AS shard`);
  await run(
    `INSERT INTO ${TAG_COUNTS_TABLE} (tenant_id, tag_id, shard, n)
     SELECT t.tenant_id, t.id, s.shard, 0 FROM tags t CROSS JOIN (${shards.join(' UNION ALL ')}) s
     WHERE t.tenant_id = ? AND t.id IN (${list})`,
    [tenantId, ...tagIds],
  );
  const counts = (await run(
    `SELECT ct.tag_id AS tagId, COUNT(*) AS n FROM contact_tags ct
     JOIN contacts c ON c.tenant_id = ct.tenant_id AND c.id = ct.contact_id
     WHERE ct.tenant_id = ? AND ct.tag_id IN (${list}) AND c.state <> 'deleted'
     GROUP BY ct.tag_id`,
    [tenantId, ...tagIds],
  )) as { tagId: string; n: number | string }[];
  await addToTagCounters(run, tenantId, new Map(counts.map((row) => [row.tagId, Number(row.n)])));
}
