import { api, expectProblem } from '../support/api';
import { Contact, Field, Tag, TestTenant, phoneNumber } from '../support/contacts';

describe('tenant isolation', () => {
  const owner = new TestTenant();
  const intruder = new TestTenant();
  let theirs: Contact;
  let theirArchived: Contact;
  let theirTag: Tag;
  let theirField: Field;
  let mine: Contact;

  beforeAll(async () => {
    theirTag = await owner.createTag('Secret tag');
    theirField = await owner.createField('Secret field');
    theirs = await owner.createContact({
      name: 'Secret Sarah',
      phone: phoneNumber(42),
      customFields: { secretField: 'classified', email: 'sarah@secret.example' },
    });
    await owner.tag(theirs.id, theirTag.id);
    theirs = await owner.getContact(theirs.id);
    theirArchived = await owner.createContact({ name: 'Secret Archived' });
    await owner.archive(theirArchived.id);
    theirArchived = await owner.getContact(theirArchived.id);
    mine = await intruder.createContact({ name: 'Intruder Ian' });
  });

  afterEach(async () => {
    // Whatever the intruder tried, the owner's contacts are exactly as they were.
    expect(await owner.getContact(theirs.id)).toEqual(theirs);
    expect(await owner.getContact(theirArchived.id)).toEqual(theirArchived);
    expect((await owner.listTags()).map((t) => [t.id, t.labeledCount])).toEqual([[theirTag.id, 1]]);
  });

  it("treats another tenant's contact as unknown in every contact operation", async () => {
    const h = intruder.headers();
    for (const id of [theirs.id, theirArchived.id]) {
      const attempts = [
        api().get(`/v1/contacts/${id}`).set(h),
        api().patch(`/v1/contacts/${id}`).set(h).send({ name: 'Hacked' }),
        api().post(`/v1/contacts/${id}/archive`).set(h),
        api().post(`/v1/contacts/${id}/unarchive`).set(h),
        api().put(`/v1/contacts/${id}/custom-fields/cf_email`).set(h).send({ value: 'x@y.pl' }),
        api().put(`/v1/contacts/${id}/custom-fields/${theirField.id}`).set(h).send({ value: 'x' }),
        api().post(`/v1/contacts/${id}/tags/${theirTag.id}`).set(h),
        api().delete(`/v1/contacts/${id}/tags/${theirTag.id}`).set(h),
        api().delete(`/v1/contacts/${id}`).set(h),
      ];
      for (const response of await Promise.all(attempts)) {
        expectProblem(response, 404, 'CONTACT_NOT_FOUND');
      }
    }
  });

  it("treats another tenant's tag as unknown", async () => {
    const h = intruder.headers();
    expectProblem(
      await api().post(`/v1/contacts/${mine.id}/tags/${theirTag.id}`).set(h),
      404,
      'TAG_NOT_FOUND',
    );
    expectProblem(
      await api().delete(`/v1/contacts/${mine.id}/tags/${theirTag.id}`).set(h),
      404,
      'TAG_NOT_FOUND',
    );
    expect(await intruder.listIds({ tagIds: theirTag.id })).toEqual([]);
    expect(await intruder.getContact(mine.id)).toEqual(mine);
  });

  it("treats another tenant's custom field as unknown", async () => {
    expectProblem(
      await api()
        .put(`/v1/contacts/${mine.id}/custom-fields/${theirField.id}`)
        .set(intruder.headers())
        .send({ value: 'x' }),
      404,
      'CUSTOM_FIELD_NOT_FOUND',
    );
    const created = await api()
      .post('/v1/contacts')
      .set(intruder.headers())
      .send({ name: 'X', customFields: { [theirField.key]: 'x' } });
    const problem = expectProblem(created, 422);
    expect(problem.errors).toEqual([
      { field: `customFields.${theirField.key}`, message: expect.any(String) },
    ]);
    expectProblem(
      await intruder.list({ [`customFields[${theirField.key}]`]: 'classified' }),
      400,
      'UNKNOWN_CUSTOM_FIELD',
    );
  });

  it("never lists, finds or counts another tenant's contacts", async () => {
    expect(await intruder.listIds()).toEqual([mine.id]);
    expect(await intruder.listIds({ archived: 'true' })).toEqual([]);
    for (const search of ['secret', 'sarah', '600000042', 'secret.example']) {
      expect(await intruder.listIds({ search })).toEqual([]);
    }
    expect(await intruder.listIds({ channels: 'whatsapp' })).toEqual([]);
    expect(await intruder.listIds({ orderBy: 'name', orderDirection: 'asc' })).toEqual([mine.id]);
    expect([await intruder.count(), await intruder.count('true')]).toEqual([1, 0]);
    expect(await intruder.listTags()).toEqual([]);
    // The owner sees its own.
    expect(await owner.listIds({ search: 'secret' })).toEqual([theirs.id]);
  });

  it("lets a tenant use a phone another tenant's contact holds", async () => {
    const twin = await intruder.createContact({ name: 'Twin', phone: phoneNumber(42) });
    expect(twin.identities[0].metadata.phoneNumber).toBe(phoneNumber(42));
    expect(twin.identities[0].id).not.toBe(theirs.identities[0].id);
    await intruder.deleteContact(twin.id);
  });

  it("does not let a tenant's page token reveal another tenant's contacts", async () => {
    await owner.createContacts(3, 'Owner bulk');
    const page = await owner.page({ pageSize: 1 });
    expect(page.nextPageToken).not.toBe('');
    const response = await intruder.list({ pageSize: 1, pageToken: page.nextPageToken });
    if (response.status === 200) {
      const ids = (response.body.contacts as Contact[]).map((c) => c.id);
      expect(ids.every((id) => id === mine.id)).toBe(true);
    } else {
      expectProblem(response, 400);
    }
  });
});
