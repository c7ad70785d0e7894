import { backfillDigitRuns } from '../../src/contacts/search/digit-run-backfill';
import { DIGIT_GRAMS_BELOW } from '../../src/contacts/search/search-grams';
import { backfillDatabase } from '../support/backfill-database';
import { TestTenant, sortedIds } from '../support/contacts';
import { openTestDatabase } from '../support/tag-counts';

class Interrupted extends Error {}

// Phones that share every 4-gram of their digits, told apart by their runs of six digits.
const PHONES = ['+48600123456', '+48600123465', '+48600124563', '+48601234560'];

describe('search by runs of digits (grams of six digits)', () => {
  const tenant = new TestTenant();
  let ids: string[];

  beforeAll(async () => {
    const created = [];
    for (const [i, phone] of PHONES.entries()) {
      created.push(await tenant.createContact({ name: `Digits ${i}`, phone }));
    }
    // Digits in a name and an email are runs too; a letter or a separator ends a run.
    created.push(await tenant.createContact({ name: 'Order 0012345678' }));
    created.push(await tenant.createContact({ name: 'Split 600123x456' }));
    ids = created.map((c) => c.id);
  });

  it.each([
    ['600123456', [0]],
    ['6001234', [0, 1]],
    ['600123', [0, 1, 5]],
    ['4860012', [0, 1, 2]],
    ['1234560', [3]],
    ['+48600124563', [2]],
    ['0012345678', [4]],
    ['order 001234', [4]],
    ['123x456', [5]],
    ['600123x4', [5]],
    ['999999', []],
    ['6001234569', []],
  ])('%s finds what the exact check decides', async (term, expected) => {
    const found = await tenant.listIds({ search: term });
    expect(found.sort()).toEqual(expected.map((i) => ids[i]).sort());
  });

  it('a cf_phone changed by PATCH is found by its new digits only', async () => {
    const own = new TestTenant();
    const contact = await own.createContact({ name: 'Moving Digits', phone: '+48700111222' });
    await own.setField(contact.id, 'cf_phone', '+48 733 444 555');
    expect(await own.listIds({ search: '733444555' })).toEqual([contact.id]);
    await own.setField(contact.id, 'cf_phone', '+48733999888');
    expect(await own.listIds({ search: '733999888' })).toEqual([contact.id]);
    expect(await own.listIds({ search: '700111222' })).toEqual([contact.id]);
    expect(await own.listIds({ search: '733444555' })).toEqual([]);
  });
});

describe('digit-run backfill (migration 1796700000000)', () => {
  it('indexes the runs of contacts indexed without them, resumes after an interruption', async () => {
    const tenant = new TestTenant();
    const contacts = [];
    for (let i = 0; i < 6; i++) {
      contacts.push(
        await tenant.createContact({ name: `Backfill ${i}`, phone: `+4869900000${i}` }),
      );
    }
    await tenant.deleteContact(contacts[5].id);
    const source = await openTestDatabase();
    try {
      // As before the migration: the grams of four digits only.
      await source.query('DELETE FROM contact_search_grams WHERE tenant_id = ? AND gram < ?', [
        tenant.id,
        DIGIT_GRAMS_BELOW,
      ]);
      // The index answers a term of six digits by those grams: now it finds nothing.
      expect(await tenant.listIds({ search: '69900000' })).toEqual([]);
      const [{ n: keys }] = await source.query(
        'SELECT next_key AS n FROM contact_search_keys WHERE tenant_id = ?',
        [tenant.id],
      );
      const db = backfillDatabase(source);
      // A batch of a few keys, so that the contacts' keys span several.
      const keysPerBatch = Math.max(1, Math.ceil(Number(keys) / 4));
      await expect(
        backfillDigitRuns(db, {
          tenantIds: [tenant.id],
          keysPerBatch,
          onBatch: () => {
            throw new Interrupted('stopped after the first batch');
          },
        }),
      ).rejects.toBeInstanceOf(Interrupted);
      const batches: number[] = [];
      await backfillDigitRuns(db, {
        tenantIds: [tenant.id],
        keysPerBatch,
        onBatch: (done) => batches.push(done),
      });
      // The rerun starts after the committed batch.
      expect(batches.length).toBe(Math.ceil(Number(keys) / keysPerBatch) - 1);
      expect((await tenant.listIds({ search: '69900000' })).sort()).toEqual(
        sortedIds(contacts.slice(0, 5)),
      );
      expect(await tenant.listIds({ search: '699000003' })).toEqual([contacts[3].id]);
      // The deleted contact got no grams back.
      const [{ n: deletedGrams }] = await source.query(
        `SELECT COUNT(*) AS n FROM contact_search_grams g JOIN contacts c ON c.tenant_id = g.tenant_id AND c.search_key = g.contact_key WHERE c.tenant_id = ? AND c.id = ?`,
        [tenant.id, contacts[5].id],
      );
      expect(Number(deletedGrams)).toBe(0);
      // Once done, a rerun has nothing left.
      expect(await backfillDigitRuns(db, { tenantIds: [tenant.id] })).toBe(0);
    } finally {
      await source.destroy();
    }
  });
});
