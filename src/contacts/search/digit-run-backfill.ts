import { Dialect, SqlRunner } from '../../database/sql-dialect';
import type { BackfillDatabase } from './search-backfill';
import { KEYS_TABLE, insertGrams } from './search-index.sql';
import { digitGramsOfText } from './search-grams';

export const PROGRESS_TABLE = 'search_backfill_progress';
const TASK = 'digit-runs';
const KEYS_PER_BATCH = 2000;

export interface BackfillOptions {
  /** Called after each committed batch with the contacts done so far. */
  onBatch?: (done: number) => void;
  keysPerBatch?: number;
  /** Only these tenants (every tenant with keys when absent). */
  tenantIds?: string[];
}

async function progressOf(run: SqlRunner, tenantId: string): Promise<number> {
  const rows = (await run(
    `SELECT next_key AS nextKey FROM ${PROGRESS_TABLE} WHERE task = ? AND tenant_id = ?`,
    [TASK, tenantId],
  )) as { nextKey: number | string }[];
  return rows.length > 0 ? Number(rows[0].nextKey) : 0;
}

async function recordProgress(run: SqlRunner, dialect: Dialect, tenantId: string, next: number) {
  await run(
    dialect === 'mysql'
      ? `INSERT INTO ${PROGRESS_TABLE} (task, tenant_id, next_key) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE next_key = VALUES(next_key)`
      : `INSERT INTO ${PROGRESS_TABLE} (task, tenant_id, next_key) VALUES (?, ?, ?) ON CONFLICT (task, tenant_id) DO UPDATE SET next_key = excluded.next_key`,
    [TASK, tenantId, next],
  );
}

/**
 * Adds the digit-run grams (search-grams.ts) of the contacts indexed before they existed: a
 * range of 2,000 search keys per transaction, up to each tenant's key counter as it stands at
 * each batch, so contacts that older processes create meanwhile are covered too. The contacts
 * of a batch are locked for its transaction (a rename waits, and moves the grams itself after),
 * and each tenant's progress is kept in the same transaction: a rerun continues where an
 * interruption left off, and an insert that meets an existing row leaves it.
 */
export async function backfillDigitRuns(
  db: BackfillDatabase,
  { onBatch, keysPerBatch = KEYS_PER_BATCH, tenantIds }: BackfillOptions = {},
): Promise<number> {
  const tenants =
    tenantIds?.map((tenantId) => ({ tenantId })) ??
    ((await db.run(`SELECT tenant_id AS tenantId FROM ${KEYS_TABLE}`, [])) as {
      tenantId: string;
    }[]);
  const lock = db.dialect === 'mysql' ? ' FOR UPDATE' : '';
  let done = 0;
  for (const { tenantId } of tenants) {
    let from = await progressOf(db.run, tenantId);
    for (;;) {
      const [{ nextKey }] = (await db.run(
        `SELECT next_key AS nextKey FROM ${KEYS_TABLE} WHERE tenant_id = ?`,
        [tenantId],
      )) as { nextKey: number | string }[];
      if (from >= Number(nextKey)) break;
      const to = from + keysPerBatch;
      await db.inTransaction(async (run) => {
        const contacts = (await run(
          `SELECT search_key AS k, search_text AS text FROM contacts
           WHERE tenant_id = ? AND search_key >= ? AND search_key < ? AND state <> 'deleted'${lock}`,
          [tenantId, from, to],
        )) as { k: number | string; text: string }[];
        const rows = contacts.flatMap(({ k, text }) =>
          digitGramsOfText(text).map((gram): [number, number] => [gram, Number(k)]),
        );
        await insertGrams(run, db.dialect, tenantId, rows);
        await recordProgress(run, db.dialect, tenantId, to);
        done += contacts.length;
      });
      from = to;
      onBatch?.(done);
    }
  }
  return done;
}
