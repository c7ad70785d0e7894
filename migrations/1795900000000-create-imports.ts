import { MigrationInterface, QueryRunner } from 'typeorm';
import { table } from './schema-builder';

/**
 * CSV imports: the job row with its counters, the uploaded file in chunks (so any worker can
 * read it, not just the API process that received it), and the first row errors.
 */
export class CreateImports1795900000000 implements MigrationInterface {
  name = 'CreateImports1795900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type === 'mysql';
    const timestamp = (name: string, isNullable = false) => ({
      name,
      type: 'datetime',
      precision: mysql ? 3 : undefined,
      isNullable,
    });
    const counter = (name: string) => ({ name, type: 'int', default: 0 });

    await queryRunner.createTable(
      table(queryRunner, {
        name: 'imports',
        primaryKey: ['tenant_id', 'id'],
        columns: [
          { name: 'tenant_id', type: 'varchar', length: '64' },
          { name: 'id', type: 'varchar', length: '40' },
          // uploading | queued | processing | completed | failed
          { name: 'status', type: 'varchar', length: '12' },
          { name: 'delimiter', type: 'varchar', length: '1' },
          // JSON: the header as written and what each column maps to.
          { name: 'columns', type: 'text' },
          { name: 'ignored_columns', type: 'text' },
          { name: 'file_size', type: 'bigint', default: 0 },
          { name: 'chunk_count', type: 'int', default: 0 },
          counter('total_rows'),
          // Data rows whose outcome is committed: a retried job resumes after them.
          counter('processed_rows'),
          counter('created_count'),
          counter('updated_count'),
          counter('failed_count'),
          // Row errors found, and how many of them are stored (the first 1000).
          counter('error_count'),
          counter('stored_error_count'),
          { name: 'failure_reason', type: 'varchar', length: '500', isNullable: true },
          { name: 'created_by', type: 'varchar', length: '128' },
          timestamp('created_at'),
          timestamp('started_at', true),
          timestamp('completed_at', true),
        ],
        indices: [{ name: 'ix_imports_status', columnNames: ['tenant_id', 'status'] }],
      }),
    );

    await queryRunner.createTable(
      table(queryRunner, {
        name: 'import_file_chunks',
        primaryKey: ['tenant_id', 'import_id', 'seq'],
        columns: [
          { name: 'tenant_id', type: 'varchar', length: '64' },
          { name: 'import_id', type: 'varchar', length: '40' },
          { name: 'seq', type: 'int' },
          { name: 'data', type: mysql ? 'mediumblob' : 'blob' },
        ],
        foreignKeys: [
          {
            name: 'fk_import_chunks_import',
            columnNames: ['tenant_id', 'import_id'],
            referencedTableName: 'imports',
            referencedColumnNames: ['tenant_id', 'id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );

    await queryRunner.createTable(
      table(queryRunner, {
        name: 'import_row_errors',
        primaryKey: ['tenant_id', 'import_id', 'row_number', 'column_index'],
        columns: [
          { name: 'tenant_id', type: 'varchar', length: '64' },
          { name: 'import_id', type: 'varchar', length: '40' },
          { name: 'row_number', type: 'int' },
          // Position of the offending column in the header; -1 for row-level problems.
          { name: 'column_index', type: 'int' },
          { name: 'column_name', type: 'varchar', length: '255', isNullable: true },
          { name: 'message', type: 'varchar', length: '500' },
        ],
        foreignKeys: [
          {
            name: 'fk_import_errors_import',
            columnNames: ['tenant_id', 'import_id'],
            referencedTableName: 'imports',
            referencedColumnNames: ['tenant_id', 'id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('import_row_errors');
    await queryRunner.dropTable('import_file_chunks');
    await queryRunner.dropTable('imports');
  }
}
