import request from 'supertest';
import { api, expectProblem } from '../support/api';
import { Contact, TestTenant } from '../support/contacts';
import { importCsv } from '../support/imports';

const STRONG = /^"[^"]+"$/;

async function current(t: TestTenant, id: string): Promise<{ etag: string; body: Contact }> {
  const response = await api().get(`/v1/contacts/${id}`).set(t.headers());
  expect(response.status).toBe(200);
  expect(response.headers.etag).toMatch(STRONG);
  return { etag: response.headers.etag, body: response.body as Contact };
}

/** Runs a write and checks its response's ETag is the contact's new current one. */
async function write(t: TestTenant, id: string, send: () => request.Test, status: number) {
  const response = await send();
  expect(response.status).toBe(status);
  const after = await current(t, id);
  if (response.headers.etag !== undefined) expect(response.headers.etag).toBe(after.etag);
  return after.etag;
}

describe('ETag of a contact', () => {
  it('is a strong validator on create, GET and PATCH', async () => {
    const t = new TestTenant();
    const created = await api().post('/v1/contacts').set(t.headers()).send({ name: 'Ann' });
    expect(created.headers.etag).toMatch(STRONG);
    expect((await current(t, created.body.id as string)).etag).toBe(created.headers.etag);
  });

  it('changes on every kind of write and stays the same on no-op writes', async () => {
    const t = new TestTenant();
    const field = await t.createField('Plan');
    const doomedField = await t.createField('Doomed');
    const tag = await t.createTag('vip');
    const doomedTag = await t.createTag('doomed');
    const contact = await t.createContact({ name: 'Ann', phone: '+48600200001' });
    const id = contact.id;
    const h = t.headers();
    const seen = [(await current(t, id)).etag];
    const changes = async (send: () => request.Test, status: number) => {
      const etag = await write(t, id, send, status);
      expect(seen).not.toContain(etag);
      seen.push(etag);
    };
    const keeps = async (send: () => request.Test, status: number) => {
      expect(await write(t, id, send, status)).toBe(seen.at(-1));
    };

    await changes(() => api().patch(`/v1/contacts/${id}`).set(h).send({ name: 'Anna' }), 200);
    await keeps(() => api().patch(`/v1/contacts/${id}`).set(h).send({ name: 'Anna' }), 200);
    await keeps(() => api().patch(`/v1/contacts/${id}`).set(h).send({}), 200);
    await changes(() => api().post(`/v1/contacts/${id}/archive`).set(h), 204);
    await changes(() => api().post(`/v1/contacts/${id}/unarchive`).set(h), 204);
    const setValue = (f: string, value: string) => () =>
      api().put(`/v1/contacts/${id}/custom-fields/${f}`).set(h).send({ value });
    await changes(setValue(field.id, 'gold'), 204);
    await keeps(setValue(field.id, 'gold'), 204);
    await changes(setValue(field.id, ''), 204);
    await keeps(setValue(field.id, ''), 204);
    await changes(() => api().post(`/v1/contacts/${id}/tags/${tag.id}`).set(h), 204);
    await keeps(() => api().post(`/v1/contacts/${id}/tags/${tag.id}`).set(h), 204);
    await changes(() => api().delete(`/v1/contacts/${id}/tags/${tag.id}`).set(h), 204);
    await keeps(() => api().delete(`/v1/contacts/${id}/tags/${tag.id}`).set(h), 204);

    // Deleting a tag or a field definition the contact holds changes it.
    await changes(() => api().post(`/v1/contacts/${id}/tags/${doomedTag.id}`).set(h), 204);
    await changes(() => api().delete(`/v1/tags/${doomedTag.id}`).set(h), 204);
    await keeps(() => api().delete(`/v1/tags/${tag.id}`).set(h), 204);
    await changes(setValue(doomedField.id, 'x'), 204);
    await changes(() => api().delete(`/v1/contacts/custom-fields/${doomedField.id}`).set(h), 204);

    // An import row that updates the contact changes it.
    await importCsv(h, 'phone,name\n+48600200001,Anne\n');
    const imported = await current(t, id);
    expect(imported.body.name).toBe('Anne');
    expect(seen).not.toContain(imported.etag);
  });

  it('differs for two writes in the same millisecond', async () => {
    const t = new TestTenant();
    const contact = await t.createContact({ name: 'Ann' });
    const tags = await Promise.all([t.createTag('a'), t.createTag('b'), t.createTag('c')]);
    const etags = await Promise.all(
      tags.map((tag) => api().post(`/v1/contacts/${contact.id}/tags/${tag.id}`).set(t.headers())),
    );
    const distinct = new Set(etags.map((r) => r.headers.etag));
    expect(distinct.size).toBe(3);
    expect([...distinct]).toContain((await current(t, contact.id)).etag);
  });
});

describe('If-Match', () => {
  const guarded: [string, (id: string, tagId: string, fieldId: string) => string, string][] = [
    ['PATCH', (id) => `/v1/contacts/${id}`, 'patch'],
    ['DELETE', (id) => `/v1/contacts/${id}`, 'delete'],
    ['archive', (id) => `/v1/contacts/${id}/archive`, 'post'],
    ['unarchive', (id) => `/v1/contacts/${id}/unarchive`, 'post'],
    ['PUT field value', (id, _, f) => `/v1/contacts/${id}/custom-fields/${f}`, 'put'],
    ['POST tag', (id, tag) => `/v1/contacts/${id}/tags/${tag}`, 'post'],
    ['DELETE tag', (id, tag) => `/v1/contacts/${id}/tags/${tag}`, 'delete'],
  ];
  const bodies: Record<string, object> = {
    PATCH: { name: 'Changed' },
    'PUT field value': { value: 'v2' },
  };

  async function fixture() {
    const t = new TestTenant();
    const field = await t.createField('Plan');
    const tag = await t.createTag('vip');
    const other = await t.createTag('other');
    const contact = await t.createContact({ name: 'Ann', customFields: { [field.key]: 'v1' } });
    await t.tag(contact.id, tag.id);
    return { t, field, tag, other, contact };
  }

  function send(
    t: TestTenant,
    method: string,
    verb: string,
    path: string,
    ifMatch: string,
  ): request.Test {
    const req = (api() as unknown as Record<string, (p: string) => request.Test>)
      [verb](path)
      .set(t.headers())
      .set('If-Match', ifMatch);
    return bodies[method] ? req.send(bodies[method]) : req;
  }

  it.each(guarded)(
    'a stale validator on %s is 412 and nothing changes',
    async (method, path, verb) => {
      const { t, field, tag, other, contact } = await fixture();
      const stale = (await current(t, contact.id)).etag;
      await t.rename(contact.id, 'Anna');
      if (method === 'unarchive') await t.archive(contact.id);
      const before = await current(t, contact.id);
      const tagId = method === 'POST tag' ? other.id : tag.id;
      const response = await send(t, method, verb, path(contact.id, tagId, field.id), stale);
      expectProblem(response, 412, 'PRECONDITION_FAILED');
      expect(await current(t, contact.id)).toEqual(before);
    },
  );

  it.each(guarded)(
    '%s: the current validator, `*` and a list holding it all match',
    async (method, path, verb) => {
      for (const form of ['current', '*', 'list']) {
        const { t, field, other, tag, contact } = await fixture();
        if (method === 'unarchive') await t.archive(contact.id);
        const { etag } = await current(t, contact.id);
        const header = form === '*' ? '*' : form === 'list' ? `"999999", ${etag}, W/"1"` : etag;
        const tagId = method === 'POST tag' ? other.id : tag.id;
        const response = await send(t, method, verb, path(contact.id, tagId, field.id), header);
        expect(response.status).toBeLessThan(300);
        if (method === 'DELETE') {
          expect((await api().get(`/v1/contacts/${contact.id}`).set(t.headers())).status).toBe(404);
        } else {
          const after = await current(t, contact.id);
          expect(after.etag).not.toBe(etag);
          expect(response.headers.etag).toBe(after.etag);
        }
      }
    },
  );

  it('a weak validator never matches', async () => {
    const { t, contact } = await fixture();
    const { etag } = await current(t, contact.id);
    const response = await api()
      .patch(`/v1/contacts/${contact.id}`)
      .set(t.headers())
      .set('If-Match', `W/${etag}`)
      .send({ name: 'Changed' });
    expectProblem(response, 412, 'PRECONDITION_FAILED');
  });

  it("an unknown, deleted or other tenant's contact is 404 first, even with `*`", async () => {
    const { t, contact } = await fixture();
    const stranger = new TestTenant();
    const theirs = await stranger.createContact({ name: 'Theirs' });
    const gone = await t.createContact({ name: 'Gone' });
    await t.deleteContact(gone.id);
    for (const id of ['con_unknown', theirs.id, gone.id]) {
      for (const header of ['*', '"1"', '"999"']) {
        const response = await api()
          .patch(`/v1/contacts/${id}`)
          .set(t.headers())
          .set('If-Match', header)
          .send({ name: 'x' });
        expectProblem(response, 404, 'CONTACT_NOT_FOUND');
      }
    }
    expect((await current(stranger, theirs.id)).body.name).toBe('Theirs');
    expect((await current(t, contact.id)).body.name).toBe('Ann');
  });

  it('of two concurrent PATCHes with the same If-Match exactly one succeeds', async () => {
    const t = new TestTenant();
    for (let round = 0; round < 5; round++) {
      const contact = await t.createContact({ name: `Round ${round}` });
      const { etag } = await current(t, contact.id);
      const responses = await Promise.all(
        ['A', 'B'].map((name) =>
          api()
            .patch(`/v1/contacts/${contact.id}`)
            .set(t.headers())
            .set('If-Match', etag)
            .send({ name: `${name} ${round}` }),
        ),
      );
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 412]);
      const winner = responses.find((r) => r.status === 200)!;
      const after = await current(t, contact.id);
      expect(after.body.name).toBe(winner.body.name);
      expect(after.etag).toBe(winner.headers.etag);
    }
  });
});

describe('If-None-Match on GET /v1/contacts/{id}', () => {
  it('is 304 with the ETag and no body while the copy is current', async () => {
    const t = new TestTenant();
    const contact = await t.createContact({ name: 'Ann' });
    const { etag } = await current(t, contact.id);
    for (const header of [etag, '*', `"999999", ${etag}`, `W/${etag}`]) {
      const response = await api()
        .get(`/v1/contacts/${contact.id}`)
        .set(t.headers())
        .set('If-None-Match', header);
      expect(response.status).toBe(304);
      expect(response.headers.etag).toBe(etag);
      expect(response.text ?? '').toBe('');
    }
    await t.rename(contact.id, 'Anna');
    const changed = await api()
      .get(`/v1/contacts/${contact.id}`)
      .set(t.headers())
      .set('If-None-Match', etag);
    expect(changed.status).toBe(200);
    expect(changed.body.name).toBe('Anna');
    expect(changed.headers.etag).not.toBe(etag);
  });

  it('an unknown contact is still 404', async () => {
    const t = new TestTenant();
    const response = await api()
      .get('/v1/contacts/con_unknown')
      .set(t.headers())
      .set('If-None-Match', '*');
    expectProblem(response, 404, 'CONTACT_NOT_FOUND');
  });
});
