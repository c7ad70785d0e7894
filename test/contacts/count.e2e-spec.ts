import { api, expectProblem } from '../support/api';
import { TestTenant } from '../support/contacts';

describe('GET /v1/contacts/count', () => {
  it('counts the non-archived and archived buckets of live contacts', async () => {
    const tenant = new TestTenant();
    const response = await api().get('/v1/contacts/count').set(tenant.headers()).expect(200);
    expect(response.body).toEqual({ totalSize: 0 });

    const [a, b, c, d] = await tenant.createContacts(6, 'Counted');
    await tenant.archive(a.id);
    await tenant.archive(b.id);
    await tenant.archive(c.id);
    await tenant.deleteContact(c.id); // archived, then deleted
    await tenant.deleteContact(d.id); // active, then deleted
    expect({ omitted: await tenant.count(), false: await tenant.count('false') }).toEqual({
      omitted: 2,
      false: 2,
    });
    expect(await tenant.count('true')).toBe(2);

    await tenant.unarchive(a.id);
    expect([await tenant.count(), await tenant.count('true')]).toEqual([3, 1]);
  });

  it('ignores list filters', async () => {
    const tenant = new TestTenant();
    const tag = await tenant.createTag('Ignored');
    const [tagged] = await tenant.createContacts(3, 'Filtered');
    await tenant.tag(tagged.id, tag.id);
    const response = await api()
      .get(
        `/v1/contacts/count?search=zzz&tagIds=${tag.id}&channels=whatsapp&createdAfter=2999-01-01T00:00:00Z`,
      )
      .set(tenant.headers())
      .expect(200);
    expect(response.body).toEqual({ totalSize: 3 });
  });

  it('never counts another tenant’s contacts', async () => {
    const mine = new TestTenant();
    const theirs = new TestTenant();
    await mine.createContacts(2, 'Mine');
    const [archived] = await theirs.createContacts(4, 'Theirs');
    await theirs.archive(archived.id);
    expect([await mine.count(), await mine.count('true')]).toEqual([2, 0]);
    expect([await theirs.count(), await theirs.count('true')]).toEqual([3, 1]);
  });

  it.each(['maybe', 'yes'])('answers 400 for archived=%p', async (archived) => {
    const tenant = new TestTenant();
    expectProblem(
      await api().get(`/v1/contacts/count?archived=${archived}`).set(tenant.headers()),
      400,
      'INVALID_QUERY_PARAMETER',
    );
  });
});
