import { MigrationInterface, QueryRunner } from 'typeorm';
import { backfillTagCounts } from '../src/tags/counts/tag-counts-backfill';
import { table } from './schema-builder';
import { backfillDatabaseOf } from './migration-backfill';

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
    await backfillTagCounts(backfillDatabaseOf(queryRunner));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('tag_counts');
  }
}
