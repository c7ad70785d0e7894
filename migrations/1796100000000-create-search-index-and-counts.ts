import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { table } from './schema-builder';

/**
 * The substring index and the contact counters (issue #10).
 * - contacts.search_key: a small integer per contact within its tenant, so index rows are narrow;
 *   NULL until the backfill (the next migration) or a write has indexed the contact.
 * - contact_search_grams: one row per distinct 4-gram of a contact's search text, packed in an
 *   integer (src/contacts/search/search-grams.ts); the primary key is the whole row.
 * - contact_search_keys: the next free search_key per tenant, reserved in blocks.
 * - contact_counts: live contacts per tenant, bucket and shard; a count is their sum.
 */
export class CreateSearchIndexAndCounts1796100000000 implements MigrationInterface {
  name = 'CreateSearchIndexAndCounts1796100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type === 'mysql';
    const tenantId = { name: 'tenant_id', type: 'varchar', length: '64' };
    // Nullable and last: MariaDB and MySQL 8 add it instantly, without rewriting the table.
    await queryRunner.addColumn(
      'contacts',
      new TableColumn({ name: 'search_key', type: 'bigint', isNullable: true }),
    );
    await queryRunner.createIndex(
      'contacts',
      new TableIndex({ name: 'ix_contacts_search_key', columnNames: ['tenant_id', 'search_key'] }),
    );
    await queryRunner.createTable(
      table(queryRunner, {
        name: 'contact_search_grams',
        columns: [
          tenantId,
          { name: 'gram', type: mysql ? 'int' : 'integer', unsigned: mysql },
          { name: 'contact_key', type: 'bigint' },
        ],
        primaryKey: ['tenant_id', 'gram', 'contact_key'],
        withoutRowid: true,
      }),
    );
    await queryRunner.createTable(
      table(queryRunner, {
        name: 'contact_search_keys',
        columns: [tenantId, { name: 'next_key', type: 'bigint' }],
        primaryKey: ['tenant_id'],
      }),
    );
    await queryRunner.createTable(
      table(queryRunner, {
        name: 'contact_counts',
        columns: [
          tenantId,
          { name: 'bucket', type: 'varchar', length: '8' },
          { name: 'shard', type: 'int' },
          { name: 'n', type: 'bigint' },
        ],
        primaryKey: ['tenant_id', 'bucket', 'shard'],
        withoutRowid: true,
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('contact_counts');
    await queryRunner.dropTable('contact_search_keys');
    await queryRunner.dropTable('contact_search_grams');
    await queryRunner.dropIndex('contacts', 'ix_contacts_search_key');
    await queryRunner.dropColumn('contacts', 'search_key');
  }
}
