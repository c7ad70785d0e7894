import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * Copies each contact's created_at into its field value and tag link rows and indexes it after
 * the filter columns. A customFields or tagIds filter in the default order (createdAt) then
 * reads its page straight from the filter's index, newest first, instead of walking every
 * contact from the newest one and testing it: that walk is long when the newest contacts
 * (a fresh import, say) lack the filtered value. created_at never changes, so the copy stays true.
 */
export class OrderFilterIndexesByContactCreated1796000000000 implements MigrationInterface {
  name = 'OrderFilterIndexesByContactCreated1796000000000';

  private readonly tables = [
    {
      name: 'contact_field_values',
      oldIndex: 'ix_field_values_lookup',
      index: new TableIndex({
        name: 'ix_field_values_by_created',
        columnNames: ['tenant_id', 'field_id', 'value_key', 'contact_created_at', 'contact_id'],
      }),
    },
    {
      name: 'contact_tags',
      oldIndex: 'ix_contact_tags_tag',
      index: new TableIndex({
        name: 'ix_contact_tags_by_created',
        columnNames: ['tenant_id', 'tag_id', 'contact_created_at', 'contact_id'],
      }),
    },
  ];

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type === 'mysql';
    const column = (isNullable: boolean) =>
      new TableColumn({
        name: 'contact_created_at',
        type: 'datetime',
        precision: mysql ? 3 : undefined,
        isNullable,
      });
    for (const { name, oldIndex, index } of this.tables) {
      await queryRunner.addColumn(name, column(true));
      await queryRunner.query(
        `UPDATE ${name} SET contact_created_at = (SELECT c.created_at FROM contacts c WHERE c.tenant_id = ${name}.tenant_id AND c.id = ${name}.contact_id)`,
      );
      await queryRunner.changeColumn(name, 'contact_created_at', column(false));
      // The new index first: on MySQL it takes over the old one's duty for the tag foreign key.
      await queryRunner.createIndex(name, index);
      await queryRunner.dropIndex(name, oldIndex);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const restored: Record<string, string[]> = {
      ix_field_values_lookup: ['tenant_id', 'field_id', 'value_key', 'contact_id'],
      ix_contact_tags_tag: ['tenant_id', 'tag_id', 'contact_id'],
    };
    for (const { name, oldIndex, index } of this.tables) {
      await queryRunner.createIndex(
        name,
        new TableIndex({ name: oldIndex, columnNames: restored[oldIndex] }),
      );
      await queryRunner.dropIndex(name, index.name!);
      await queryRunner.dropColumn(name, 'contact_created_at');
    }
  }
}
