import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { table } from './schema-builder';

/**
 * Idempotency keys (kept responses of POST requests, per tenant) and a version counter on
 * contacts: the strong ETag, bumped by every write that moves updated_at.
 */
export class IdempotencyKeysAndContactVersion1796200000000 implements MigrationInterface {
  name = 'IdempotencyKeysAndContactVersion1796200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type === 'mysql';
    const timestamp = (name: string, isNullable = false) => ({
      name,
      type: 'datetime',
      precision: mysql ? 3 : undefined,
      isNullable,
    });
    await queryRunner.addColumn(
      'contacts',
      new TableColumn({ name: 'version', type: 'int', default: 1 }),
    );
    await queryRunner.createTable(
      table(queryRunner, {
        name: 'idempotency_keys',
        primaryKey: ['tenant_id', 'idem_key'],
        columns: [
          { name: 'tenant_id', type: 'varchar', length: '64' },
          { name: 'idem_key', type: 'varchar', length: '255' },
          // sha256 (hex) of method, path, query string and body bytes (an import's file bytes).
          { name: 'fingerprint', type: 'varchar', length: '64' },
          // Import uploads: the file's hash joins the fingerprint once the file was read.
          { name: 'body_hash', type: 'varchar', length: '64', isNullable: true },
          // running | completed
          { name: 'state', type: 'varchar', length: '10' },
          // Who runs it, and until when: a lease a crashed process lets run out.
          { name: 'lock_token', type: 'varchar', length: '40', isNullable: true },
          timestamp('locked_until', true),
          { name: 'status_code', type: 'int', isNullable: true },
          // JSON object of the kept headers (Content-Type, Location, ETag).
          { name: 'response_headers', type: 'text', isNullable: true },
          { name: 'response_body', type: mysql ? 'longtext' : 'text', isNullable: true },
          timestamp('created_at'),
          timestamp('expires_at'),
        ],
        indices: [{ name: 'ix_idempotency_keys_expiry', columnNames: ['tenant_id', 'expires_at'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('idempotency_keys');
    await queryRunner.dropColumn('contacts', 'version');
  }
}
