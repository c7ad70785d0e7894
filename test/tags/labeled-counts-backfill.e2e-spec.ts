import { backfillTagCounts } from '../../src/tags/counts/tag-counts-backfill';
import { backfillDatabase } from '../support/backfill-database';
import { TestTenant } from '../support/contacts';
import {
  expectCountsTrue,
  labeledByApi,
  labeledByJoin,
  openTestDatabase,
} from '../support/tag-counts';

class Interrupted extends Error {}

describe('tag_counts backfill (migration 1796500000000)', () => {
  it('counts the tags without counters, resumes after an interruption, counts nothing twice', async () => {
    // More tags than one batch (100), labeling live, archived and deleted contacts.
    const tenant = new TestTenant();
    const tags = [];
    for (let i = 0; i < 130; i++) tags.push(await tenant.createTag(`Backfill ${i}`));
    const contacts = await tenant.createContacts(12, 'Backfill');
    for (const [i, contact] of contacts.entries()) {
      for (let k = 0; k < 12; k++)
        await tenant.tag(contact.id, tags[(i * 11 + k) % tags.length].id);
    }
    await tenant.archive(contacts[1].id);
    await tenant.deleteContact(contacts[2].id);
    const truth = await expectCountsTrue(tenant);

    const source = await openTestDatabase();
    try {
      // As before the migration: this tenant's tags have no counters.
      await source.query('DELETE FROM tag_counts WHERE tenant_id = ?', [tenant.id]);
      expect(Object.values(await labeledByApi(tenant)).every((n) => n === 0)).toBe(true);
      const db = backfillDatabase(source);
      await expect(
        backfillTagCounts(db, () => {
          throw new Interrupted('stopped after the first batch');
        }),
      ).rejects.toBeInstanceOf(Interrupted);
      const partly = await labeledByApi(tenant);
      const counted = tags.filter((tag) => partly[tag.id] === truth[tag.id] && truth[tag.id] > 0);
      expect(counted.length).toBeGreaterThan(0);
      expect(counted.length).toBeLessThan(tags.filter((tag) => truth[tag.id] > 0).length);

      // A write meanwhile, to a tag the backfill has not reached: the backfill counts it whole.
      const last = tags[tags.length - 1];
      expect(partly[last.id]).toBe(0);
      await tenant.tag(contacts[0].id, last.id);
      await backfillTagCounts(db);
      const after = await expectCountsTrue(tenant);
      expect(after[last.id]).toBe((await labeledByJoin(tenant.id))[last.id]);
      // Another run finds nothing to do.
      expect(await backfillTagCounts(db)).toBe(0);
      expect(await expectCountsTrue(tenant)).toEqual(after);
    } finally {
      await source.destroy();
    }
  }, 120_000);
});
