import type { DataSource } from 'typeorm';
import type { BackfillDatabase } from '../../src/contacts/search/search-backfill';

/** A migration's backfill database, run by a test on the shared server's database. */
export function backfillDatabase(source: DataSource): BackfillDatabase {
  const run = (sql: string, parameters: unknown[]) => source.query(sql, parameters);
  return {
    dialect: source.options.type === 'mysql' ? 'mysql' : 'sqlite',
    run,
    inTransaction: async (work) => {
      const runner = source.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction();
        await work((sql, parameters) => runner.query(sql, parameters));
        await runner.commitTransaction();
      } catch (error) {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
        throw error;
      } finally {
        await runner.release();
      }
    },
  };
}
