import { api, as } from '../support/api';
import { Contact, TestTenant, inParallel, phoneNumber } from '../support/contacts';
import { importCsv } from '../support/imports';
import { expectCountsTrue } from '../support/tag-counts';

async function untag(tenant: TestTenant, contactId: string, tagId: string) {
  const response = await api()
    .delete(`/v1/contacts/${contactId}/tags/${tagId}`)
    .set(tenant.headers());
  expect(response.status).toBe(204);
}

describe('labeledCount from maintained counters', () => {
  it('follows each write on a contact: tag, untag, no-ops, archive, delete', async () => {
    const tenant = new TestTenant();
    const [a, b] = [await tenant.createTag('A'), await tenant.createTag('B')];
    const [c1, c2, c3] = await tenant.createContacts(3, 'Paths');
    const expectCounts = async (expected: [number, number]) =>
      expect(await expectCountsTrue(tenant)).toEqual({ [a.id]: expected[0], [b.id]: expected[1] });

    await expectCounts([0, 0]);
    await tenant.tag(c1.id, a.id);
    await tenant.tag(c2.id, a.id);
    await tenant.tag(c1.id, b.id);
    await expectCounts([2, 1]);
    await tenant.tag(c1.id, a.id); // already attached: a no-op
    await expectCounts([2, 1]);
    await untag(tenant, c2.id, a.id);
    await expectCounts([1, 1]);
    await untag(tenant, c2.id, a.id); // not attached: a no-op
    await expectCounts([1, 1]);
    // Archived contacts keep counting; renames and field values change nothing.
    await tenant.archive(c1.id);
    await expectCounts([1, 1]);
    await tenant.tag(c1.id, a.id);
    await tenant.tag(c3.id, b.id);
    await tenant.rename(c3.id, 'Renamed');
    await tenant.setField(c3.id, 'email', 'paths@example.com');
    await expectCounts([1, 2]);
    await tenant.unarchive(c1.id);
    await expectCounts([1, 2]);
    // A deleted contact stops counting for each of its tags, archived or not.
    await tenant.archive(c1.id);
    await tenant.deleteContact(c1.id);
    await expectCounts([0, 1]);
    await tenant.deleteContact(c3.id);
    await expectCounts([0, 0]);
    // A failed write counts nothing: the deleted contact is 404.
    const response = await api().post(`/v1/contacts/${c1.id}/tags/${b.id}`).set(tenant.headers());
    expect(response.status).toBe(404);
    await expectCounts([0, 0]);
  });

  it('drops a deleted tag, keeps the others, and starts a recreated name at 0', async () => {
    const tenant = new TestTenant();
    const other = new TestTenant();
    const [keep, gone] = [await tenant.createTag('Keep'), await tenant.createTag('Gone')];
    const theirs = await other.createTag('Gone');
    const contacts = await tenant.createContacts(4, 'Tagged');
    for (const contact of contacts) {
      await tenant.tag(contact.id, gone.id);
      await tenant.tag(contact.id, keep.id);
    }
    await other.tag((await other.createContact({ name: 'Theirs' })).id, theirs.id);
    expect(await expectCountsTrue(tenant)).toEqual({ [keep.id]: 4, [gone.id]: 4 });

    await tenant.deleteTag(gone.id);
    expect(await expectCountsTrue(tenant)).toEqual({ [keep.id]: 4 });
    const again = await tenant.createTag('Gone');
    expect(again.labeledCount).toBe(0);
    await tenant.tag(contacts[0].id, again.id);
    expect(await expectCountsTrue(tenant)).toEqual({ [keep.id]: 4, [again.id]: 1 });
    expect(await expectCountsTrue(other)).toEqual({ [theirs.id]: 1 });
  });

  it('equals the join after 200 concurrent mixed writes', async () => {
    const tenant = new TestTenant();
    const tags = await inParallel(5, (i) => tenant.createTag(`Concurrent ${i}`));
    const seeded = await tenant.createContacts(40, 'Seed');
    await inParallel(40, (i) => tenant.tag(seeded[i].id, tags[i % tags.length].id));
    const live: Contact[] = [...seeded];
    const statuses: number[] = [];
    // Tags added and removed, contacts created with tags, deleted, archived and unarchived,
    // interleaved, several of them on one contact and one tag.
    await inParallel(
      200,
      async (i) => {
        const target = live[(i * 7) % live.length];
        const tag = tags[(i * 3) % tags.length];
        const path = `/v1/contacts/${target.id}`;
        let response;
        switch (i % 6) {
          case 0:
            response = await api().post(`${path}/tags/${tag.id}`).set(tenant.headers());
            break;
          case 1:
            response = await api().delete(`${path}/tags/${tag.id}`).set(tenant.headers());
            break;
          case 2: {
            response = await api()
              .post('/v1/contacts')
              .set(tenant.headers())
              .send({ name: `Concurrent ${i}`, phone: phoneNumber(7000 + i) });
            if (response.status !== 201) break;
            const created = response.body as Contact;
            live.push(created);
            response = await api()
              .post(`/v1/contacts/${created.id}/tags/${tag.id}`)
              .set(tenant.headers());
            break;
          }
          case 3:
            response = await api().delete(path).set(tenant.headers());
            break;
          case 4:
            response = await api().post(`${path}/archive`).set(tenant.headers());
            break;
          default:
            response = await api().post(`${path}/unarchive`).set(tenant.headers());
        }
        statuses.push(response.status);
      },
      16,
    );
    // 404s (deleted meanwhile) and 409s (already archived, not archived) are expected.
    expect(statuses.filter((s) => ![201, 204, 404, 409].includes(s))).toEqual([]);
    expect(statuses.filter((s) => s === 404).length).toBeLessThan(200);
    const counts = await expectCountsTrue(tenant);
    expect(Object.values(counts).reduce((sum, n) => sum + n, 0)).toBeGreaterThan(0);
  }, 180_000);

  it('equals the join after an import that creates tags and tags new and matched contacts', async () => {
    const tenant = new TestTenant();
    const vip = await tenant.createTag('VIP');
    const matched = await tenant.createContact({ name: 'Matched', phone: phoneNumber(8001) });
    const archived = await tenant.createContact({ name: 'Archived', phone: phoneNumber(8002) });
    const deleted = await tenant.createContact({ name: 'Deleted', phone: phoneNumber(8003) });
    await tenant.tag(matched.id, vip.id);
    await tenant.tag(deleted.id, vip.id);
    await tenant.archive(archived.id);
    await tenant.deleteContact(deleted.id);
    const tagCells = ['Alpha|Beta', 'Beta', 'Gamma;VIP', '', 'vip'];
    // Batches of 2,000 rows: rows from 1,900 on repeat the phones of the first 200 with other
    // tags, updating contacts made earlier in the same batch and in the previous one.
    const rows = Array.from({ length: 2100 }, (_, i) => {
      const tags = tagCells[(i < 1900 ? i : i + 1) % tagCells.length];
      return `Imported ${i},${phoneNumber(9000 + (i % 1900))},${tags}`;
    });
    rows.push(
      `Matched again,${phoneNumber(8001)},VIP;Alpha`,
      `Archived again,${phoneNumber(8002)},Beta|VIP`,
      `Deleted again,${phoneNumber(8003)},VIP`,
    );
    const status = await importCsv(as(tenant.id), ['name,phone,tags', ...rows].join('\n'));
    expect(status.failedCount).toBe(0);
    expect(status.createdCount).toBe(1901);
    const counts = await expectCountsTrue(tenant);
    const byName = Object.fromEntries(
      (await tenant.listTags()).map((tag) => [tag.name, counts[tag.id]]),
    );
    expect(byName).toEqual({ Alpha: 421, Beta: 801, Gamma: 420, VIP: 843 });
  }, 120_000);
});
