import { CountDeltas, addCounts } from '../counts/contact-counts.sql';
import { Dialect, SqlRunner } from '../../database/sql-dialect';
import { indexTexts, reserveKeys } from './search-index.sql';

export interface BackfillDatabase {
  dialect: Dialect;
  run: SqlRunner;
  /** Runs `work` in a transaction of its own, committed when it returns. */
  inTransaction(work: (run: SqlRunner) => Promise<void>): Promise<void>;
}

const CONTACTS_PER_BATCH = 2000;
const ROWS_PER_UPDATE = 1000;

/**
 * Indexes and counts the contacts that have no search key yet, a batch of contacts per
 * transaction, in id order per tenant. A contact gets its key in the same transaction as its
 * grams and its count, so a rerun after an interruption continues with the contacts left and
 * nothing is counted twice; no statement holds locks on more than one batch.
 */
export async function backfillSearchAndCounts(
  db: BackfillDatabase,
  onBatch?: (done: number) => void,
): Promise<number> {
  const tenants = (await db.run('SELECT DISTINCT tenant_id AS tenantId FROM contacts', [])) as {
    tenantId: string;
  }[];
  let done = 0;
  for (const { tenantId } of tenants) {
    for (let more = true; more;) {
      await db.inTransaction(async (run) => {
        const contacts = (await run(
          `SELECT id, state, search_text AS searchText FROM contacts
           WHERE tenant_id = ? AND search_key IS NULL ORDER BY id LIMIT ${CONTACTS_PER_BATCH}${db.dialect === 'mysql' ? ' FOR UPDATE' : ''}`,
          [tenantId],
        )) as { id: string; state: string; searchText: string }[];
        more = contacts.length === CONTACTS_PER_BATCH;
        if (contacts.length === 0) return;
        const first = await reserveKeys(run, db.dialect, tenantId, contacts.length);
        const keyed = contacts.map((contact, i) => ({ ...contact, key: first + i }));
        for (let i = 0; i < keyed.length; i += ROWS_PER_UPDATE) {
          const part = keyed.slice(i, i + ROWS_PER_UPDATE);
          await run(
            `UPDATE contacts SET search_key = CASE id ${part.map(() => 'WHEN ? THEN ?').join(' ')} END
             WHERE tenant_id = ? AND id IN (${part.map(() => '?').join(', ')})`,
            [...part.flatMap((c) => [c.id, c.key]), tenantId, ...part.map((c) => c.id)],
          );
        }
        const live = keyed.filter((c) => c.state !== 'deleted');
        await indexTexts(
          run,
          db.dialect,
          tenantId,
          live.map((c) => ({ key: c.key, text: c.searchText })),
        );
        const deltas: CountDeltas = {
          active: live.filter((c) => c.state === 'active').length,
          archived: live.filter((c) => c.state === 'archived').length,
        };
        await addCounts(run, db.dialect, tenantId, deltas);
        done += contacts.length;
        onBatch?.(done);
      });
    }
  }
  return done;
}
