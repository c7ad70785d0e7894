import { api, expectProblem } from '../support/api';
import { TestTenant, ms, pause } from '../support/contacts';

describe('POST|DELETE /v1/contacts/{contactId}/tags/{tagId}', () => {
  const tenant = new TestTenant();
  const add = (contactId: string, tagId: string) =>
    api().post(`/v1/contacts/${contactId}/tags/${tagId}`).set(tenant.headers());
  const remove = (contactId: string, tagId: string) =>
    api().delete(`/v1/contacts/${contactId}/tags/${tagId}`).set(tenant.headers());

  it('adds and removes tags (204), moving updatedAt each time', async () => {
    const vip = await tenant.createTag('VIP');
    const wholesale = await tenant.createTag('Wholesale');
    const created = await tenant.createContact({ name: 'Tagged' });

    await pause();
    const added = await add(created.id, vip.id);
    expect(added.status).toBe(204);
    expect(added.text).toBe('');
    const one = await tenant.getContact(created.id);
    expect(one.tagIds).toEqual([vip.id]);
    expect(ms(one.updatedAt)).toBeGreaterThan(ms(created.updatedAt));

    await pause();
    await add(created.id, wholesale.id).expect(204);
    const two = await tenant.getContact(created.id);
    expect([...two.tagIds].sort()).toEqual([vip.id, wholesale.id].sort());
    expect(ms(two.updatedAt)).toBeGreaterThan(ms(one.updatedAt));

    await pause();
    await remove(created.id, vip.id).expect(204);
    const back = await tenant.getContact(created.id);
    expect(back.tagIds).toEqual([wholesale.id]);
    expect(ms(back.updatedAt)).toBeGreaterThan(ms(two.updatedAt));
  });

  it('treats adding an attached tag and removing a detached one as 204 no-ops', async () => {
    const tag = await tenant.createTag('Idempotent');
    const spare = await tenant.createTag('Spare');
    const created = await tenant.createContact({ name: 'No-op' });
    await tenant.tag(created.id, tag.id);
    const tagged = await tenant.getContact(created.id);

    await pause();
    await add(created.id, tag.id).expect(204);
    await remove(created.id, spare.id).expect(204);
    expect(await tenant.getContact(created.id)).toEqual(tagged);

    await remove(created.id, tag.id).expect(204);
    const untagged = await tenant.getContact(created.id);
    await pause();
    await remove(created.id, tag.id).expect(204);
    expect(await tenant.getContact(created.id)).toEqual(untagged);
  });

  it('answers 404 for an unknown tag or contact', async () => {
    const tag = await tenant.createTag('Real');
    const created = await tenant.createContact({ name: 'Real contact' });
    const unknownTag = 'tag_01HV8Y9R3Q4J6A7M8N9P0Q2S4';
    const unknownContact = 'con_01HV8Y5R5RFMS0TFK6PKF9H2S8';
    expectProblem(await add(created.id, unknownTag), 404, 'TAG_NOT_FOUND');
    expectProblem(await remove(created.id, unknownTag), 404, 'TAG_NOT_FOUND');
    expectProblem(await add(unknownContact, tag.id), 404, 'CONTACT_NOT_FOUND');
    expectProblem(await remove(unknownContact, tag.id), 404, 'CONTACT_NOT_FOUND');
    expect(await tenant.getContact(created.id)).toEqual(created);
  });
});

describe('tags seen from GET /v1/tags and after DELETE /v1/tags/{id}', () => {
  it('counts live contacts, archived included, deleted not, in labeledCount', async () => {
    const tenant = new TestTenant();
    const counted = await tenant.createTag('Counted');
    const empty = await tenant.createTag('Empty');
    const [a, b, archived, deleted] = await tenant.createContacts(4, 'Labeled');
    for (const contact of [a, b, archived, deleted]) await tenant.tag(contact.id, counted.id);
    await tenant.archive(archived.id);
    await tenant.deleteContact(deleted.id);

    // Another tenant's links never count here.
    const other = new TestTenant();
    const otherTag = await other.createTag('Counted');
    const [otherContact] = await other.createContacts(1);
    await other.tag(otherContact.id, otherTag.id);

    const labeled = () =>
      tenant.listTags().then((tags) => Object.fromEntries(tags.map((t) => [t.id, t.labeledCount])));
    expect(await labeled()).toEqual({ [counted.id]: 3, [empty.id]: 0 });

    await api().delete(`/v1/contacts/${b.id}/tags/${counted.id}`).set(tenant.headers()).expect(204);
    expect(await labeled()).toEqual({ [counted.id]: 2, [empty.id]: 0 });
    await tenant.unarchive(archived.id);
    expect(await labeled()).toEqual({ [counted.id]: 2, [empty.id]: 0 });
    expect((await other.listTags())[0].labeledCount).toBe(1);
  });

  it('detaches a deleted tag from every contact', async () => {
    const tenant = new TestTenant();
    const doomed = await tenant.createTag('Doomed');
    const kept = await tenant.createTag('Kept');
    const [a, b] = await tenant.createContacts(2, 'Detach');
    await tenant.tag(a.id, doomed.id);
    await tenant.tag(a.id, kept.id);
    await tenant.tag(b.id, doomed.id);
    await tenant.archive(b.id);
    const aBefore = await tenant.getContact(a.id);
    await pause();

    await tenant.deleteTag(doomed.id);

    const aAfter = await tenant.getContact(a.id);
    expect(aAfter.tagIds).toEqual([kept.id]);
    expect(ms(aAfter.updatedAt)).toBeGreaterThan(ms(aBefore.updatedAt));
    expect((await tenant.getContact(b.id)).tagIds).toEqual([]);
    expect(await tenant.listIds({ tagIds: doomed.id })).toEqual([]);
    expect(await tenant.listIds({ search: 'doomed' })).toEqual([]);
    expect((await tenant.listTags()).map((t) => t.id)).toEqual([kept.id]);
    expectProblem(
      await api().post(`/v1/contacts/${a.id}/tags/${doomed.id}`).set(tenant.headers()),
      404,
      'TAG_NOT_FOUND',
    );
  });
});
