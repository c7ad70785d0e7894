import { MigrationInterface, QueryRunner } from 'typeorm';
import { table } from './schema-builder';

/**
 * The event outbox and webhooks (CONTRACT §13).
 *
 * `contact_events.seq` is the insert order (auto-increment), `position` the commit order, set by
 * the sequencer once the row is committed (src/events/event-sequencer.ts). Two indexes do not
 * lead with tenant_id on purpose: the sequencer's backlog (`position IS NULL`) and the delivery
 * schedule are work queues across tenants; every tenant-facing read uses a tenant-led index.
 */
export class CreateContactEvents1796300000000 implements MigrationInterface {
  name = 'CreateContactEvents1796300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type === 'mysql';
    const timestamp = (name: string, isNullable = false) => ({
      name,
      type: 'datetime',
      precision: mysql ? 3 : undefined,
      isNullable,
    });
    const bigint = mysql ? 'bigint' : 'integer';

    await queryRunner.createTable(
      table(queryRunner, {
        name: 'contact_events',
        primaryKey: ['seq'],
        columns: [
          { name: 'seq', type: bigint, isGenerated: true, generationStrategy: 'increment' },
          { name: 'tenant_id', type: 'varchar', length: '64' },
          { name: 'contact_id', type: 'varchar', length: '40' },
          { name: 'type', type: 'varchar', length: '24' },
          timestamp('occurred_at'),
          { name: 'position', type: bigint, isNullable: true },
        ],
        indices: [
          {
            name: 'ux_contact_events_feed',
            columnNames: ['tenant_id', 'position'],
            isUnique: true,
          },
          { name: 'ix_contact_events_position', columnNames: ['position'] },
        ],
      }),
    );

    // One row: the last position handed out and how far the retention sweep has deleted.
    await queryRunner.createTable(
      table(queryRunner, {
        name: 'event_sequencer',
        primaryKey: ['name'],
        columns: [
          { name: 'name', type: 'varchar', length: '32' },
          { name: 'last_position', type: bigint, default: 0 },
          { name: 'swept_through', type: bigint, default: 0 },
        ],
      }),
    );
    await queryRunner.query(
      `INSERT INTO event_sequencer (name, last_position, swept_through) VALUES ('contact_events', 0, 0)`,
    );

    await queryRunner.createTable(
      table(queryRunner, {
        name: 'webhooks',
        primaryKey: ['tenant_id', 'id'],
        columns: [
          { name: 'tenant_id', type: 'varchar', length: '64' },
          { name: 'id', type: 'varchar', length: '40' },
          { name: 'url', type: 'varchar', length: '2048' },
          // Comma-separated event types.
          { name: 'events', type: 'varchar', length: '255' },
          { name: 'secret', type: 'varchar', length: '64' },
          timestamp('created_at'),
        ],
      }),
    );

    // One row per (subscription, event) still to be delivered; deleted once delivered.
    await queryRunner.createTable(
      table(queryRunner, {
        name: 'webhook_deliveries',
        primaryKey: ['tenant_id', 'webhook_id', 'event_seq'],
        columns: [
          { name: 'tenant_id', type: 'varchar', length: '64' },
          { name: 'webhook_id', type: 'varchar', length: '40' },
          { name: 'event_seq', type: bigint },
          { name: 'contact_id', type: 'varchar', length: '40' },
          { name: 'position', type: bigint },
          { name: 'attempts', type: 'int', default: 0 },
          timestamp('next_attempt_at'),
          timestamp('lease_until', true),
        ],
        indices: [
          {
            name: 'ix_webhook_deliveries_lane',
            columnNames: ['tenant_id', 'webhook_id', 'contact_id', 'position'],
          },
          { name: 'ix_webhook_deliveries_due', columnNames: ['next_attempt_at'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('webhook_deliveries');
    await queryRunner.dropTable('webhooks');
    await queryRunner.dropTable('event_sequencer');
    await queryRunner.dropTable('contact_events');
  }
}
