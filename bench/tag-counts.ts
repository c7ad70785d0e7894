import type { Pool } from 'mysql2/promise';
import { backfillTagCounts } from '../src/tags/counts/tag-counts-backfill';

/**
 * Runs the tag_counts migration's backfill over the seeded tags (seeding writes the tables
 * directly, after the migrations), through the bench's pool: GET /v1/tags then reads true
 * counts. Returns the seconds it took.
 */
export async function countSeededTags(pool: Pool): Promise<number> {
  const started = Date.now();
  const run = async (sql: string, parameters: unknown[]) => (await pool.query(sql, parameters))[0];
  await backfillTagCounts({
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
  });
  return (Date.now() - started) / 1000;
}
