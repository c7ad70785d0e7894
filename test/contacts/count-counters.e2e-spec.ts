import { api, as } from '../support/api';
import { Contact, TestTenant, inParallel, phoneNumber } from '../support/contacts';
import { importCsv } from '../support/imports';

/** The ground truth: every contact a full walk of the bucket's list meets. */
async function listed(tenant: TestTenant, archived: boolean): Promise<number> {
  return (await tenant.walk({ pageSize: 1000, archived })).ids.length;
}

async function expectCountsTrue(tenant: TestTenant) {
  const truth = [await listed(tenant, false), await listed(tenant, true)];
  expect([await tenant.count(), await tenant.count('true')]).toEqual(truth);
}

describe('count from maintained counters', () => {
  it('equals the contacts listed after 200 concurrent mixed writes', async () => {
    const tenant = new TestTenant();
    const seeded = await tenant.createContacts(60, 'Seed');
    const live = [...seeded];
    const statuses: number[] = [];
    // Creates, deletes, archives and unarchives interleaved, several of them on one contact.
    await inParallel(
      200,
      async (i) => {
        const target: Contact = live[(i * 7) % live.length];
        let response;
        switch (i % 5) {
          case 0:
          case 1:
            response = await api()
              .post('/v1/contacts')
              .set(tenant.headers())
              .send({ name: `Concurrent ${i}`, phone: phoneNumber(5000 + i) });
            if (response.status === 201) live.push(response.body as Contact);
            break;
          case 2:
            response = await api().post(`/v1/contacts/${target.id}/archive`).set(tenant.headers());
            break;
          case 3:
            response = await api()
              .post(`/v1/contacts/${target.id}/unarchive`)
              .set(tenant.headers());
            break;
          default:
            response = await api().delete(`/v1/contacts/${target.id}`).set(tenant.headers());
        }
        statuses.push(response.status);
      },
      16,
    );
    // Conflicts (already archived, not archived) and 404s (deleted meanwhile) are expected.
    expect(statuses.filter((s) => ![201, 204, 404, 409].includes(s))).toEqual([]);
    expect(statuses.filter((s) => s === 201)).toHaveLength(80);
    await expectCountsTrue(tenant);
  }, 180_000);

  it('equals the contacts listed after an import that creates and updates', async () => {
    const tenant = new TestTenant();
    const [archived] = await tenant.createContacts(5, 'Before');
    await tenant.archive(archived.id);
    const rows = Array.from(
      { length: 300 },
      (_, i) => `Imported ${i},${phoneNumber(6000 + (i % 250))},imported${i}@example.com`,
    );
    const status = await importCsv(as(tenant.id), ['name,phone,email', ...rows].join('\n'));
    expect(status.createdCount).toBe(250);
    expect(status.updatedCount).toBe(50);
    await expectCountsTrue(tenant);
    expect(await tenant.count()).toBe(254);
    expect(await tenant.count('true')).toBe(1);
  });

  it('is never below zero or shared between tenants after deletes', async () => {
    const mine = new TestTenant();
    const theirs = new TestTenant();
    const contacts = await mine.createContacts(4, 'Mine');
    await theirs.createContacts(2, 'Theirs');
    await inParallel(4, (i) => mine.deleteContact(contacts[i].id));
    expect([await mine.count(), await theirs.count()]).toEqual([0, 2]);
  });
});
