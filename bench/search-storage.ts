import type { Pool, RowDataPacket } from 'mysql2/promise';
import { backfillSearchAndCounts } from '../src/contacts/search/search-backfill';

/** Runs the backfill migration's code over the seeded contacts, through the bench's pool. */
export function indexSeeded(pool: Pool, onBatch: (done: number) => void): Promise<number> {
  const run = async (sql: string, parameters: unknown[]) => (await pool.query(sql, parameters))[0];
  return backfillSearchAndCounts(
    {
      dialect: 'mysql',
      run,
      inTransaction: async (work) => {
        const connection = await pool.getConnection();
        try {
          await connection.beginTransaction();
          await work(async (sql, parameters) => (await connection.query(sql, parameters))[0]);
          await connection.commit();
        } catch (error) {
          await connection.rollback();
          throw error;
        } finally {
          connection.release();
        }
      },
    },
    onBatch,
  );
}

/**
 * Data + index bytes per contact from information_schema (after ANALYZE), per table, and what
 * the search index and counters add: their tables plus the contacts index on search_key.
 */
export async function storagePerContact(pool: Pool): Promise<string[]> {
  await pool.query('ANALYZE TABLE contacts, contact_search_grams, contact_counts');
  const [[{ contacts }]] = await pool.query<RowDataPacket[]>(
    'SELECT COUNT(*) AS contacts FROM contacts',
  );
  const [tables] = await pool.query<RowDataPacket[]>(
    `SELECT table_name AS name, data_length AS data, index_length AS idx, table_rows AS estRows
     FROM information_schema.TABLES WHERE table_schema = DATABASE() ORDER BY data_length + index_length DESC`,
  );
  // mysql.innodb_index_stats needs a grant the app's user may lack: then the row says n/a.
  const [[keyIndex]] = await pool
    .query<RowDataPacket[]>(
      `SELECT stat_value * @@innodb_page_size AS bytes FROM mysql.innodb_index_stats
       WHERE database_name = DATABASE() AND table_name = 'contacts' AND index_name = 'ix_contacts_search_key' AND stat_name = 'size'`,
    )
    .catch(() => [[{ bytes: undefined }]] as unknown as [RowDataPacket[]]);
  const [[grams]] = await pool.query<RowDataPacket[]>(
    'SELECT COUNT(*) AS n FROM contact_search_grams',
  );
  const perContact = (bytes: number) => (bytes / Number(contacts)).toFixed(0);
  const extraTables = ['contact_search_grams', 'contact_search_keys', 'contact_counts'];
  const extra =
    tables
      .filter((t) => extraTables.includes(String(t.name)))
      .reduce((sum, t) => sum + Number(t.data) + Number(t.idx), 0) + Number(keyIndex?.bytes ?? 0);
  return [
    `Storage for ${contacts} contacts (information_schema, after ANALYZE); ${grams.n} gram rows, ${(Number(grams.n) / Number(contacts)).toFixed(1)} per contact:`,
    '',
    '| table | data MB | index MB | bytes per contact |',
    '| --- | ---: | ---: | ---: |',
    ...tables
      .filter((t) => Number(t.data) + Number(t.idx) > 1024 ** 2)
      .map(
        (t) =>
          `| ${t.name} | ${(Number(t.data) / 1024 ** 2).toFixed(1)} | ${(Number(t.idx) / 1024 ** 2).toFixed(1)} | ${perContact(Number(t.data) + Number(t.idx))} |`,
      ),
    keyIndex?.bytes === undefined
      ? '| contacts.ix_contacts_search_key | | n/a (no grant on mysql.innodb_index_stats) | |'
      : `| contacts.ix_contacts_search_key | | ${(Number(keyIndex.bytes) / 1024 ** 2).toFixed(1)} | ${perContact(Number(keyIndex.bytes))} |`,
    `| **extra for search index + counters** | | | **${perContact(extra)}** |`,
  ];
}
