import { MigrationInterface, QueryRunner } from 'typeorm';
import { backfillTagCounts } from '../src/tags/counts/tag-counts-backfill';
import { dialectOf } from '../src/database/sql-dialect';
import { table } from './schema-builder';

/**
 * The maintained labeled counts of GET /v1/tags: tag_counts holds live contacts per tenant, tag
 * and shard (src/tags/counts); a tag's count is the sum of its shards. The existing tags are
 * counted a batch of 100 per transaction (hence `transaction = false`): no table is locked for
 * longer than a batch, and a rerun after an interruption creates nothing twice and continues
 * with the tags that have no counter rows yet.
 */
export class CreateAndBackfillTagCounts1796500000000 implements MigrationInterface {
  name = 'CreateAndBackfillTagCounts1796500000000';
  transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      table(queryRunner, {
        name: 'tag_counts',
        columns: [
          { name: 'tenant_id', type: 'varchar', length: '64' },
          { name: 'tag_id', type: 'varchar', length: '40' },
          { name: 'shard', type: 'int' },
          { name: 'n', type: 'bigint' },
        ],
        primaryKey: ['tenant_id', 'tag_id', 'shard'],
        withoutRowid: true,
      }),
      true,
    );
    const run = (sql: string, parameters: unknown[]) => queryRunner.query(sql, parameters);
    await backfillTagCounts({
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
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('tag_counts');
  }
}
