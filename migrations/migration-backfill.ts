import { QueryRunner } from 'typeorm';
import type { BackfillDatabase } from '../src/contacts/search/search-backfill';
import { dialectOf } from '../src/database/sql-dialect';

/**
 * A batched backfill's view of a migration's query runner: each batch in a transaction of its
 * own, committed when it returns (the migration sets `transaction = false`).
 */
export function backfillDatabaseOf(queryRunner: QueryRunner): BackfillDatabase {
  const run = (sql: string, parameters: unknown[]) => queryRunner.query(sql, parameters);
  return {
    dialect: dialectOf(queryRunner.connection.options.type),
    run,
    inTransaction: async (work) => {
      await queryRunner.startTransaction();
      try {
        await work(run);
        await queryRunner.commitTransaction();
      } catch (error) {
        await queryRunner.rollbackTransaction();
        throw error;
      }
    },
  };
}
