import { MigrationInterface, QueryRunner } from 'typeorm';
import { backfillSearchAndCounts } from '../src/contacts/search/search-backfill';
import { backfillDatabaseOf } from './migration-backfill';

/**
 * Indexes and counts the existing contacts, one batch of 2,000 per transaction (hence
 * `transaction = false`): no table is locked for longer than a batch, and a rerun after an
 * interruption continues with the contacts that have no search key yet.
 */
export class BackfillSearchIndexAndCounts1796100000001 implements MigrationInterface {
  name = 'BackfillSearchIndexAndCounts1796100000001';
  transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    await backfillSearchAndCounts(backfillDatabaseOf(queryRunner));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DELETE FROM contact_counts');
    await queryRunner.query('DELETE FROM contact_search_grams');
    await queryRunner.query('DELETE FROM contact_search_keys');
    await queryRunner.query('UPDATE contacts SET search_key = NULL');
  }
}
