import { MigrationInterface, QueryRunner, TableColumnOptions } from 'typeorm';
import { table } from './schema-builder';

/**
 * The contact book schema. Every table and index leads with tenant_id so the data can be
 * sharded by tenant later. Written with the QueryRunner table API so one migration produces
 * the right DDL for MySQL/MariaDB and for SQLite.
 */
export class CreateContactsSchema1795800000000 implements MigrationInterface {
  name = 'CreateContactsSchema1795800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type === 'mysql';
    const tenantId: TableColumnOptions = { name: 'tenant_id', type: 'varchar', length: '64' };
    const id = (length = '40'): TableColumnOptions => ({ name: 'id', type: 'varchar', length });
    const timestamp = (name: string, isNullable = false): TableColumnOptions => ({
      name,
      type: 'datetime',
      precision: mysql ? 3 : undefined,
      isNullable,
    });

    await queryRunner.createTable(
      table(queryRunner, {
        name: 'tags',
        columns: [
          tenantId,
          id(),
          { name: 'name', type: 'varchar', length: '64' },
          { name: 'name_key', type: 'varchar', length: '64' },
          timestamp('created_at'),
          { name: 'created_by', type: 'varchar', length: '128' },
        ],
        primaryKey: ['tenant_id', 'id'],
        uniques: [{ name: 'uq_tags_name', columnNames: ['tenant_id', 'name_key'] }],
      }),
    );

    await queryRunner.createTable(
      table(queryRunner, {
        name: 'custom_fields',
        columns: [
          tenantId,
          { name: 'entity_type', type: 'varchar', length: '16' },
          id('120'),
          { name: 'field_key', type: 'varchar', length: '120' },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'name_key', type: 'varchar', length: '100' },
          { name: 'type', type: 'varchar', length: '8' },
          timestamp('created_at'),
          { name: 'created_by', type: 'varchar', length: '128' },
        ],
        primaryKey: ['tenant_id', 'entity_type', 'id'],
        uniques: [
          { name: 'uq_custom_fields_name', columnNames: ['tenant_id', 'entity_type', 'name_key'] },
          { name: 'uq_custom_fields_key', columnNames: ['tenant_id', 'entity_type', 'field_key'] },
        ],
      }),
    );

    await queryRunner.createTable(
      table(queryRunner, {
        name: 'contacts',
        columns: [
          tenantId,
          id(),
          { name: 'name', type: 'varchar', length: '255', isNullable: true },
          // lower(name), '' when unnamed: unnamed contacts sort first ascending, last descending.
          { name: 'name_sort', type: 'varchar', length: '255' },
          // active | archived | deleted: the bucket every list and count starts from.
          { name: 'state', type: 'varchar', length: '8' },
          // Lower-cased name, email, phone field and identity phones, for substring search.
          { name: 'search_text', type: 'varchar', length: '1400' },
          timestamp('created_at'),
          timestamp('updated_at'),
          timestamp('archived_at', true),
          timestamp('deleted_at', true),
        ],
        primaryKey: ['tenant_id', 'id'],
        indices: [
          { name: 'ix_contacts_created', columnNames: ['tenant_id', 'state', 'created_at', 'id'] },
          { name: 'ix_contacts_updated', columnNames: ['tenant_id', 'state', 'updated_at', 'id'] },
          { name: 'ix_contacts_name', columnNames: ['tenant_id', 'state', 'name_sort', 'id'] },
        ],
      }),
    );

    const contactForeignKey = {
      columnNames: ['tenant_id', 'contact_id'],
      referencedTableName: 'contacts',
      referencedColumnNames: ['tenant_id', 'id'],
      onDelete: 'CASCADE',
    };

    await queryRunner.createTable(
      table(queryRunner, {
        name: 'contact_identities',
        columns: [
          tenantId,
          id(),
          { name: 'contact_id', type: 'varchar', length: '40' },
          { name: 'channel', type: 'varchar', length: '16' },
          { name: 'address', type: 'varchar', length: '64' },
          // Equals address while the contact is live, NULL once deleted: the unique index below
          // then allows one live contact per phone and frees the phone on soft delete.
          { name: 'live_address', type: 'varchar', length: '64', isNullable: true },
        ],
        primaryKey: ['tenant_id', 'id'],
        indices: [
          { name: 'ix_identities_contact', columnNames: ['tenant_id', 'contact_id', 'channel'] },
          {
            name: 'uq_identities_live_address',
            columnNames: ['tenant_id', 'channel', 'live_address'],
            isUnique: true,
          },
        ],
        foreignKeys: [{ name: 'fk_identities_contact', ...contactForeignKey }],
      }),
    );

    await queryRunner.createTable(
      table(queryRunner, {
        name: 'contact_tags',
        columns: [
          tenantId,
          { name: 'contact_id', type: 'varchar', length: '40' },
          { name: 'tag_id', type: 'varchar', length: '40' },
          timestamp('created_at'),
        ],
        primaryKey: ['tenant_id', 'contact_id', 'tag_id'],
        indices: [
          { name: 'ix_contact_tags_tag', columnNames: ['tenant_id', 'tag_id', 'contact_id'] },
        ],
        foreignKeys: [
          { name: 'fk_contact_tags_contact', ...contactForeignKey },
          {
            name: 'fk_contact_tags_tag',
            columnNames: ['tenant_id', 'tag_id'],
            referencedTableName: 'tags',
            referencedColumnNames: ['tenant_id', 'id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );

    await queryRunner.createTable(
      table(queryRunner, {
        name: 'contact_field_values',
        columns: [
          tenantId,
          { name: 'contact_id', type: 'varchar', length: '40' },
          { name: 'field_id', type: 'varchar', length: '120' },
          { name: 'value', type: 'varchar', length: '1000' },
          // lower(value) cut to an indexable prefix: equality filters seek on it.
          { name: 'value_key', type: 'varchar', length: '191' },
        ],
        primaryKey: ['tenant_id', 'contact_id', 'field_id'],
        indices: [
          {
            name: 'ix_field_values_lookup',
            columnNames: ['tenant_id', 'field_id', 'value_key', 'contact_id'],
          },
        ],
        foreignKeys: [{ name: 'fk_field_values_contact', ...contactForeignKey }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'contact_field_values',
      'contact_tags',
      'contact_identities',
      'contacts',
      'custom_fields',
      'tags',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
