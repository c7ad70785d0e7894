import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * Whether an import's job is on the queue. The upload stores the import and answers without
 * waiting for Redis; `dispatched_at` stays null until the job is on the queue, and a sweep puts
 * on it what is still null (an upload made while Redis was down, an import a stopping worker
 * handed back). `dispatch_seq` counts the hand-backs: each dispatch after one is a new Bull job.
 */
export class AddImportDispatch1796450000000 implements MigrationInterface {
  name = 'AddImportDispatch1796450000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type === 'mysql';
    await queryRunner.addColumns('imports', [
      new TableColumn({
        name: 'dispatched_at',
        type: 'datetime',
        precision: mysql ? 3 : undefined,
        isNullable: true,
      }),
      new TableColumn({ name: 'dispatch_seq', type: 'int', default: 0 }),
    ]);
    // Imports stored before this migration were queued by their upload.
    await queryRunner.query('UPDATE imports SET dispatched_at = created_at');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('imports', 'dispatch_seq');
    await queryRunner.dropColumn('imports', 'dispatched_at');
  }
}
