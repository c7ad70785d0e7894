import { api, expectProblem } from '../support/api';
import {
  CONTACT_KEYS,
  Contact,
  ISO_MS,
  TestTenant,
  ms,
  pause,
  errorFields,
} from '../support/contacts';

const UNKNOWN_ID = 'con_01HV8Y5R5RFMS0TFK6PKF9H2S8';

describe('GET /v1/contacts/{id}', () => {
  const tenant = new TestTenant();

  it('returns the contact', async () => {
    const created = await tenant.createContact({ name: 'Read Me', phone: '+48600000001' });
    const response = await api()
      .get(`/v1/contacts/${created.id}`)
      .set(tenant.headers())
      .expect(200);
    expect(Object.keys(response.body).sort()).toEqual(CONTACT_KEYS);
    expect(response.body).toEqual(created);
  });

  it.each([UNKNOWN_ID, 'nope', 'tag_01HV8Y5R5RFMS0TFK6PKF9H2S8'])(
    'answers 404 for the unknown id %p',
    async (id) => {
      expectProblem(
        await api().get(`/v1/contacts/${id}`).set(tenant.headers()),
        404,
        'CONTACT_NOT_FOUND',
      );
    },
  );
});

describe('PATCH /v1/contacts/{id}', () => {
  const tenant = new TestTenant();
  const patch = (id: string, body: object) =>
    api().patch(`/v1/contacts/${id}`).set(tenant.headers()).send(body);

  it('sets the name and moves updatedAt', async () => {
    const created = await tenant.createContact({ name: 'Before', phone: '+48600000002' });
    await pause();
    const response = await patch(created.id, { name: 'After' }).expect(200);
    const updated = response.body as Contact;
    expect(Object.keys(updated).sort()).toEqual(CONTACT_KEYS);
    expect(updated).toEqual({ ...created, name: 'After', updatedAt: updated.updatedAt });
    expect(updated.updatedAt).toMatch(ISO_MS);
    expect(ms(updated.updatedAt)).toBeGreaterThan(ms(created.updatedAt));
    expect(await tenant.getContact(created.id)).toEqual(updated);
  });

  it('clears the name with null', async () => {
    const created = await tenant.createContact({ name: 'Named', phone: '+48600000003' });
    await pause();
    const updated = (await patch(created.id, { name: null }).expect(200)).body as Contact;
    expect(updated.name).toBeNull();
    expect(ms(updated.updatedAt)).toBeGreaterThan(ms(created.updatedAt));
    expect((await tenant.getContact(created.id)).name).toBeNull();
  });

  it('leaves an omitted name unchanged, without moving updatedAt', async () => {
    const created = await tenant.createContact({ name: 'Kept' });
    await pause();
    const updated = (await patch(created.id, {}).expect(200)).body as Contact;
    expect(updated).toEqual(created);
  });

  it('does not move updatedAt when the name does not change', async () => {
    const created = await tenant.createContact({ name: 'Same' });
    await pause();
    expect((await patch(created.id, { name: 'Same' }).expect(200)).body).toEqual(created);
    const unnamed = await tenant.createContact({ phone: '+48600000004' });
    await pause();
    expect((await patch(unnamed.id, { name: null }).expect(200)).body).toEqual(unnamed);
  });

  it('refuses a name over 255 characters, a non-string name and unknown attributes', async () => {
    const created = await tenant.createContact({ name: 'Valid' });
    const tooLong = expectProblem(await patch(created.id, { name: 'x'.repeat(256) }), 422);
    expect(errorFields(tooLong)).toEqual(['name']);
    const notString = expectProblem(await patch(created.id, { name: 5 }), 422);
    expect(errorFields(notString)).toContain('name');
    const unknown = expectProblem(
      await patch(created.id, { name: 'Y', phone: '+48600000005' }),
      422,
      'VALIDATION_FAILED',
    );
    expect(errorFields(unknown)).toEqual(['phone']);
    expect(await tenant.getContact(created.id)).toEqual(created);
  });

  it('answers 404 for an unknown contact', async () => {
    expectProblem(await patch(UNKNOWN_ID, { name: 'X' }), 404, 'CONTACT_NOT_FOUND');
  });
});

describe('DELETE /v1/contacts/{id}', () => {
  const tenant = new TestTenant();

  it('soft-deletes: 204, then 404 in every operation, gone from lists and counts', async () => {
    const field = await tenant.createField('Deletion note');
    const tag = await tenant.createTag('Deletion tag');
    const keep = await tenant.createContact({ name: 'Keep Zed' });
    const doomed = await tenant.createContact({
      name: 'Doomed Zed',
      phone: '+48600000006',
      customFields: { [field.key]: 'x' },
    });
    await tenant.tag(doomed.id, tag.id);
    expect(await tenant.count()).toBe(2);

    await api().delete(`/v1/contacts/${doomed.id}`).set(tenant.headers()).expect(204);

    const h = tenant.headers();
    const id = doomed.id;
    const attempts = [
      api().get(`/v1/contacts/${id}`).set(h),
      api().patch(`/v1/contacts/${id}`).set(h).send({ name: 'Zombie' }),
      api().delete(`/v1/contacts/${id}`).set(h),
      api().post(`/v1/contacts/${id}/archive`).set(h),
      api().post(`/v1/contacts/${id}/unarchive`).set(h),
      api().put(`/v1/contacts/${id}/custom-fields/${field.id}`).set(h).send({ value: 'y' }),
      api().post(`/v1/contacts/${id}/tags/${tag.id}`).set(h),
      api().delete(`/v1/contacts/${id}/tags/${tag.id}`).set(h),
    ];
    for (const response of await Promise.all(attempts)) {
      expectProblem(response, 404, 'CONTACT_NOT_FOUND');
    }

    expect(await tenant.listIds()).toEqual([keep.id]);
    expect(await tenant.listIds({ archived: 'true' })).toEqual([]);
    expect(await tenant.listIds({ search: 'zed' })).toEqual([keep.id]);
    expect(await tenant.listIds({ search: '600000006' })).toEqual([]);
    expect(await tenant.listIds({ tagIds: tag.id })).toEqual([]);
    expect(await tenant.listIds({ [`customFields[${field.key}]`]: 'x' })).toEqual([]);
    expect(await tenant.count()).toBe(1);
    expect(await tenant.count('true')).toBe(0);
  });

  it('deletes archived contacts too, and a second delete is 404', async () => {
    const contact = await tenant.createContact({ name: 'Archived then deleted' });
    await tenant.archive(contact.id);
    const before = await tenant.count('true');
    await api().delete(`/v1/contacts/${contact.id}`).set(tenant.headers()).expect(204);
    expect(await tenant.count('true')).toBe(before - 1);
    expectProblem(
      await api().delete(`/v1/contacts/${contact.id}`).set(tenant.headers()),
      404,
      'CONTACT_NOT_FOUND',
    );
  });

  it('answers 404 for an unknown contact', async () => {
    expectProblem(
      await api().delete(`/v1/contacts/${UNKNOWN_ID}`).set(tenant.headers()),
      404,
      'CONTACT_NOT_FOUND',
    );
  });
});

describe('archive and unarchive', () => {
  const tenant = new TestTenant();
  const archive = (id: string) => api().post(`/v1/contacts/${id}/archive`).set(tenant.headers());
  const unarchive = (id: string) =>
    api().post(`/v1/contacts/${id}/unarchive`).set(tenant.headers());

  it('archives (204), refuses a second archive (409), unarchives (204), refuses a second unarchive (409)', async () => {
    const created = await tenant.createContact({ name: 'Box' });
    await pause();

    const archived = await archive(created.id);
    expect(archived.status).toBe(204);
    expect(archived.text).toBe('');
    const afterArchive = await tenant.getContact(created.id);
    expect(afterArchive.archivedAt).toMatch(ISO_MS);
    expect(ms(afterArchive.archivedAt!)).toBeGreaterThan(ms(created.createdAt));
    expect(ms(afterArchive.updatedAt)).toBeGreaterThan(ms(created.updatedAt));
    expect(afterArchive).toEqual({
      ...created,
      archivedAt: afterArchive.archivedAt,
      updatedAt: afterArchive.updatedAt,
    });
    expect(await tenant.listIds()).not.toContain(created.id);
    expect(await tenant.listIds({ archived: 'true' })).toEqual([created.id]);

    expectProblem(await archive(created.id), 409, 'CONTACT_ALREADY_ARCHIVED');
    expect(await tenant.getContact(created.id)).toEqual(afterArchive);

    await pause();
    await unarchive(created.id).expect(204);
    const afterUnarchive = await tenant.getContact(created.id);
    expect(afterUnarchive.archivedAt).toBeNull();
    expect(ms(afterUnarchive.updatedAt)).toBeGreaterThan(ms(afterArchive.updatedAt));
    expect(await tenant.listIds({ archived: 'true' })).toEqual([]);
    expect(await tenant.listIds()).toContain(created.id);

    expectProblem(await unarchive(created.id), 409, 'CONTACT_NOT_ARCHIVED');
    expect(await tenant.getContact(created.id)).toEqual(afterUnarchive);
  });

  it('refuses to unarchive a contact that was never archived', async () => {
    const created = await tenant.createContact({ name: 'Never archived' });
    expectProblem(await unarchive(created.id), 409, 'CONTACT_NOT_ARCHIVED');
  });

  it('accepts every other write on an archived contact', async () => {
    const field = await tenant.createField('Archive note');
    const tag = await tenant.createTag('Archive tag');
    const created = await tenant.createContact({ name: 'Sleeper', phone: '+48600000007' });
    await tenant.archive(created.id);
    const archivedAt = (await tenant.getContact(created.id)).archivedAt;

    const renamed = await tenant.rename(created.id, 'Still sleeping');
    expect(renamed).toMatchObject({ name: 'Still sleeping', archivedAt });
    await tenant.setField(created.id, field.id, 'noted');
    await tenant.tag(created.id, tag.id);
    expect(await tenant.getContact(created.id)).toMatchObject({
      name: 'Still sleeping',
      customFields: { archiveNote: 'noted' },
      tagIds: [tag.id],
      archivedAt,
    });
    await api()
      .delete(`/v1/contacts/${created.id}/tags/${tag.id}`)
      .set(tenant.headers())
      .expect(204);
    expect((await tenant.getContact(created.id)).tagIds).toEqual([]);
    await tenant.deleteContact(created.id);
    expectProblem(await unarchive(created.id), 404, 'CONTACT_NOT_FOUND');
  });

  it('answers 404 for unknown contacts', async () => {
    expectProblem(await archive(UNKNOWN_ID), 404, 'CONTACT_NOT_FOUND');
    expectProblem(await unarchive(UNKNOWN_ID), 404, 'CONTACT_NOT_FOUND');
  });
});
