import { fromSqlTimestamp, sqlTimestamp } from '../../database/sql-timestamp';
import { SqlRunner } from '../../database/sql-dialect';
import { KEYS_TABLE } from './search-index.sql';

/**
 * Search keys follow creation order, within a slack: for any two contacts of a tenant, the one
 * with the lower key was created at most KEY_ORDER_SLACK_MS after the other. It holds because
 * keys are handed out in increasing order under the tenant's key row lock, a contact's
 * createdAt is taken after its key was reserved, and a process uses a reserved block of keys
 * for at most KEY_BLOCK_TTL_MS. The slack leaves room for clock differences between processes.
 *
 * A common term's search relies on it to read a gram's postings in key order instead of
 * testing every contact in createdAt order (creation-order-walk.ts). Keys handed out before it
 * held (by an older version) are measured once, by the migration that introduced it: the
 * ordered suffix starts at `ordered_from`, and the contacts below it were all created at or
 * before `unordered_until`.
 */
export const KEY_ORDER_SLACK_MS = 5_000;
export const KEY_BLOCK_TTL_MS = 1_000;

export interface KeyOrder {
  /** Keys from here up are in creation order within the slack. */
  orderedFrom: number;
  /** The latest createdAt below `orderedFrom`; null when every key is ordered. */
  unorderedUntil: Date | null;
}

const SCAN_BATCH = 10_000;

/** The tenant's recorded key order (a tenant without keys has nothing out of order). */
export async function readKeyOrder(run: SqlRunner, tenantId: string): Promise<KeyOrder> {
  const [row] = (await run(
    `SELECT ordered_from AS orderedFrom, unordered_until AS unorderedUntil FROM ${KEYS_TABLE} WHERE tenant_id = ?`,
    [tenantId],
  )) as { orderedFrom: number | string; unorderedUntil: Date | string | null }[];
  if (!row) return { orderedFrom: 0, unorderedUntil: null };
  return {
    orderedFrom: Number(row.orderedFrom),
    unorderedUntil: row.unorderedUntil === null ? null : fromSqlTimestamp(row.unorderedUntil),
  };
}

/**
 * Measures how far a tenant's existing keys are in creation order: reads keys from the highest
 * down (a batch per statement, plain reads that lock nothing) and stops at the first key created
 * more than the slack after some higher key.
 */
export async function measureKeyOrder(run: SqlRunner, tenantId: string): Promise<KeyOrder> {
  let below: number | null = null;
  let earliestAbove = Infinity;
  for (;;) {
    const rows = (await run(
      `SELECT search_key AS k, created_at AS c FROM contacts
       WHERE tenant_id = ? AND search_key IS NOT NULL${below === null ? '' : ' AND search_key < ?'}
       ORDER BY search_key DESC LIMIT ${SCAN_BATCH}`,
      below === null ? [tenantId] : [tenantId, below],
    )) as { k: number | string; c: Date | string }[];
    for (const row of rows) {
      const createdAt = fromSqlTimestamp(row.c).getTime();
      if (createdAt > earliestAbove + KEY_ORDER_SLACK_MS) {
        const [latest] = (await run(
          'SELECT MAX(created_at) AS c FROM contacts WHERE tenant_id = ? AND search_key <= ?',
          [tenantId, row.k],
        )) as { c: Date | string }[];
        return { orderedFrom: Number(row.k) + 1, unorderedUntil: fromSqlTimestamp(latest.c) };
      }
      earliestAbove = Math.min(earliestAbove, createdAt);
    }
    if (rows.length < SCAN_BATCH) return { orderedFrom: 0, unorderedUntil: null };
    below = Number(rows[rows.length - 1].k);
  }
}

export async function recordKeyOrder(run: SqlRunner, tenantId: string, order: KeyOrder) {
  await run(`UPDATE ${KEYS_TABLE} SET ordered_from = ?, unordered_until = ? WHERE tenant_id = ?`, [
    order.orderedFrom,
    order.unorderedUntil === null ? null : sqlTimestamp(order.unorderedUntil),
    tenantId,
  ]);
}
