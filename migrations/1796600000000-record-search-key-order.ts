import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { measureKeyOrder, recordKeyOrder } from '../src/contacts/search/search-key-order';

/**
 * From now on search keys follow creation order within a slack (src/contacts/search/
 * search-key-order.ts); keys handed out before may not (a process used a block for as long as
 * it lasted). Each tenant's existing keys are measured once: the ordered suffix and the latest
 * creation time below it are recorded with its key counter. The measure only reads contacts,
 * a batch per statement, so nothing is locked; one short UPDATE per tenant records it.
 */
export class RecordSearchKeyOrder1796600000000 implements MigrationInterface {
  name = 'RecordSearchKeyOrder1796600000000';
  transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type === 'mysql';
    await queryRunner.addColumns('contact_search_keys', [
      new TableColumn({ name: 'ordered_from', type: 'bigint', default: 0 }),
      new TableColumn({
        name: 'unordered_until',
        type: 'datetime',
        precision: mysql ? 3 : undefined,
        isNullable: true,
      }),
    ]);
    const run = (sql: string, parameters: unknown[]) => queryRunner.query(sql, parameters);
    const tenants = (await run('SELECT tenant_id AS tenantId FROM contact_search_keys', [])) as {
      tenantId: string;
    }[];
    for (const { tenantId } of tenants) {
      await recordKeyOrder(run, tenantId, await measureKeyOrder(run, tenantId));
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('contact_search_keys', 'unordered_until');
    await queryRunner.dropColumn('contact_search_keys', 'ordered_from');
  }
}
