import { MigrationInterface, QueryRunner } from 'typeorm';
import { GRAMS_TABLE } from '../src/contacts/search/search-index.sql';
import { PROGRESS_TABLE, backfillDigitRuns } from '../src/contacts/search/digit-run-backfill';
import { DIGIT_GRAMS_BELOW } from '../src/contacts/search/search-grams';
import { table } from './schema-builder';
import { backfillDatabaseOf } from './migration-backfill';

const DELETE_BATCH = 10_000;

/**
 * Runs of six digits become grams of the substring index (src/contacts/search/search-grams.ts).
 * The existing contacts get theirs a batch of keys per transaction (hence `transaction = false`),
 * and the progress of each tenant is kept in search_backfill_progress: a rerun after an
 * interruption continues there. Stop processes of the previous version first: a contact they
 * create after the last batch has no digit grams, and a search by its digits would miss it.
 */
export class IndexDigitRuns1796700000000 implements MigrationInterface {
  name = 'IndexDigitRuns1796700000000';
  transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    if (!(await queryRunner.hasTable(PROGRESS_TABLE))) {
      await queryRunner.createTable(
        table(queryRunner, {
          name: PROGRESS_TABLE,
          columns: [
            { name: 'task', type: 'varchar', length: '64' },
            { name: 'tenant_id', type: 'varchar', length: '64' },
            { name: 'next_key', type: 'bigint' },
          ],
          primaryKey: ['task', 'tenant_id'],
        }),
      );
    }
    await backfillDigitRuns(backfillDatabaseOf(queryRunner));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const tenants = (await queryRunner.query(
      'SELECT tenant_id AS tenantId FROM contact_search_keys',
    )) as { tenantId: string }[];
    const mysql = queryRunner.connection.options.type === 'mysql';
    for (const { tenantId } of tenants) {
      const remove = `DELETE FROM ${GRAMS_TABLE} WHERE tenant_id = ? AND gram < ?`;
      if (!mysql) {
        await queryRunner.query(remove, [tenantId, DIGIT_GRAMS_BELOW]);
        continue;
      }
      // In batches: one DELETE would lock a tenant's digit grams, millions of rows, at once.
      for (;;) {
        const result = (await queryRunner.query(`${remove} LIMIT ${DELETE_BATCH}`, [
          tenantId,
          DIGIT_GRAMS_BELOW,
        ])) as { affectedRows: number };
        if (result.affectedRows < DELETE_BATCH) break;
      }
    }
    await queryRunner.dropTable(PROGRESS_TABLE);
  }
}
