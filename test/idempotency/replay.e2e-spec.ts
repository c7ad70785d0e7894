import request from 'supertest';
import { api, expectProblem } from '../support/api';
import { TestTenant } from '../support/contacts';
import { getImport, postCsv, storedImportRows, waitForImport } from '../support/imports';

const KEY = 'Idempotency-Key';
let counter = 0;
const newKey = () => `key-${Date.now()}-${counter++}`;

/** Sends `send` twice with one key: the second must be the first again, marked as a replay. */
async function expectReplay(send: (key: string) => request.Test, status: number) {
  const key = newKey();
  const first = await send(key);
  expect(first.status).toBe(status);
  expect(first.headers['idempotent-replayed']).toBeUndefined();
  const second = await send(key);
  expect(second.status).toBe(status);
  expect(second.headers['idempotent-replayed']).toBe('true');
  expect(second.text).toBe(first.text);
  expect(second.headers['content-type']).toBe(first.headers['content-type']);
  expect(second.headers.etag).toBe(first.headers.etag);
  return { first, second, key };
}

describe('Idempotency-Key: replays on every POST operation', () => {
  it('POST /v1/contacts: same 201 and body, one contact', async () => {
    const t = new TestTenant();
    const { first } = await expectReplay(
      (key) => api().post('/v1/contacts').set(t.headers()).set(KEY, key).send({ name: 'Ann' }),
      201,
    );
    expect(first.headers.etag).toMatch(/^"\d+"$/);
    expect(await t.count()).toBe(1);
  });

  it('archive and unarchive: same 204, the state switched once', async () => {
    const t = new TestTenant();
    const contact = await t.createContact({ name: 'Ann' });
    await expectReplay(
      (key) => api().post(`/v1/contacts/${contact.id}/archive`).set(t.headers()).set(KEY, key),
      204,
    );
    expect(await t.count('true')).toBe(1);
    await expectReplay(
      (key) => api().post(`/v1/contacts/${contact.id}/unarchive`).set(t.headers()).set(KEY, key),
      204,
    );
    expect(await t.count('false')).toBe(1);
  });

  it('tag add: same 204, one link, updatedAt moved once', async () => {
    const t = new TestTenant();
    const contact = await t.createContact({ name: 'Ann' });
    const tag = await t.createTag('vip');
    const { first } = await expectReplay(
      (key) =>
        api().post(`/v1/contacts/${contact.id}/tags/${tag.id}`).set(t.headers()).set(KEY, key),
      204,
    );
    const after = await t.getContact(contact.id);
    expect(after.tagIds).toEqual([tag.id]);
    const current = await api().get(`/v1/contacts/${contact.id}`).set(t.headers());
    expect(current.headers.etag).toBe(first.headers.etag);
  });

  it('POST /v1/tags: same 201 and body, one tag', async () => {
    const t = new TestTenant();
    const { first } = await expectReplay(
      (key) => api().post('/v1/tags').set(t.headers()).set(KEY, key).send({ name: 'vip' }),
      201,
    );
    const tags = await t.listTags();
    expect(tags.map((tag) => tag.id)).toEqual([first.body.id]);
  });

  it.each(['contacts', 'properties'])(
    'POST /v1/%s/custom-fields: one definition',
    async (entity) => {
      const t = new TestTenant();
      const { first } = await expectReplay(
        (key) =>
          api()
            .post(`/v1/${entity}/custom-fields`)
            .set(t.headers())
            .set(KEY, key)
            .send({ name: 'Plan', type: 'text' }),
        201,
      );
      const list = await api().get(`/v1/${entity}/custom-fields`).set(t.headers());
      const ids = (list.body.customFields as { id: string }[]).map((f) => f.id);
      expect(ids.filter((id) => id === first.body.id)).toHaveLength(1);
      expect(ids.filter((id) => id.startsWith('cf_plan'))).toEqual(['cf_plan']);
    },
  );

  it('POST /v1/contacts/import: the same importId, one import, the rows imported once', async () => {
    const t = new TestTenant();
    const csv = 'name,phone\nAnn,+48600100001\nBob,+48600100002\n';
    const key = newKey();
    const first = await postCsv(t.headers(), csv).set(KEY, key);
    expect(first.status).toBe(202);
    // A client retry builds a new multipart body (another boundary) around the same file.
    const second = await postCsv(t.headers(), csv, { filename: 'again.csv' }).set(KEY, key);
    expect(second.status).toBe(202);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body).toEqual(first.body);
    const done = await waitForImport(t.headers(), first.body.importId as string);
    expect(done).toMatchObject({ status: 'completed', createdCount: 2, totalRows: 2 });
    const third = await postCsv(t.headers(), csv).set(KEY, key);
    expect(third.body).toEqual(first.body);
    expect(await storedImportRows(t.id)).toMatchObject({ imports: 1 });
    expect(await t.count()).toBe(2);
    expect(await getImport(t.headers(), first.body.importId as string)).toEqual(done);

    // The same key with another file is another request.
    const other = await postCsv(t.headers(), 'name\nCarl\n').set(KEY, key);
    expectProblem(other, 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await storedImportRows(t.id)).toMatchObject({ imports: 1 });
  });

  it("keeps the operation's own 4xx: a retry gets the same problem, and nothing runs", async () => {
    const t = new TestTenant();
    const contact = await t.createContact({ name: 'Ann' });
    const { first } = await expectReplay(
      (key) => api().post('/v1/contacts/con_unknown/archive').set(t.headers()).set(KEY, key),
      404,
    );
    expectProblem(first, 404, 'CONTACT_NOT_FOUND');
    await expectReplay(
      (key) => api().post('/v1/contacts').set(t.headers()).set(KEY, key).send({ nme: 'x' }),
      422,
    );
    // A 409 is kept even once the state that caused it is gone.
    const key = newKey();
    const conflict = await api()
      .post(`/v1/contacts/${contact.id}/unarchive`)
      .set(t.headers())
      .set(KEY, key);
    expectProblem(conflict, 409, 'CONTACT_NOT_ARCHIVED');
    await t.archive(contact.id);
    const retry = await api()
      .post(`/v1/contacts/${contact.id}/unarchive`)
      .set(t.headers())
      .set(KEY, key);
    expect(retry.status).toBe(409);
    expect(retry.text).toBe(conflict.text);
    expect(await t.count('true')).toBe(1);
    expect(await t.count()).toBe(0);
  });

  it('does not keep 401 and 403: the retry runs afresh', async () => {
    const t = new TestTenant();
    const key = newKey();
    const denied = await api()
      .post('/v1/contacts')
      .set(t.headers({ scopes: ['contact:list'] }))
      .set(KEY, key)
      .send({ name: 'Ann' });
    expectProblem(denied, 403);
    const unauthenticated = await api().post('/v1/contacts').set(KEY, key).send({ name: 'Ann' });
    expectProblem(unauthenticated, 401);
    const created = await api()
      .post('/v1/contacts')
      .set(t.headers())
      .set(KEY, key)
      .send({ name: 'Ann' });
    expect(created.status).toBe(201);
    expect(created.headers['idempotent-replayed']).toBeUndefined();
    expect(await t.count()).toBe(1);
  });

  it('without the header every request runs', async () => {
    const t = new TestTenant();
    await t.createContact({ name: 'Ann' });
    await t.createContact({ name: 'Ann' });
    expect(await t.count()).toBe(2);
  });
});

describe('Idempotency-Key: key errors and scope', () => {
  it('another body, path or query with a used key is 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const t = new TestTenant();
    const key = newKey();
    const post = (path: string, body: string) =>
      api()
        .post(path)
        .set(t.headers())
        .set(KEY, key)
        .set('Content-Type', 'application/json')
        .send(body);
    expect((await post('/v1/contacts', '{"name":"Ann"}')).status).toBe(201);
    expectProblem(await post('/v1/contacts', '{"name":"Bob"}'), 422, 'IDEMPOTENCY_KEY_REUSED');
    // The body's bytes count, not only its meaning.
    expectProblem(await post('/v1/contacts', '{ "name": "Ann" }'), 422, 'IDEMPOTENCY_KEY_REUSED');
    expectProblem(await post('/v1/contacts?x=1', '{"name":"Ann"}'), 422, 'IDEMPOTENCY_KEY_REUSED');
    expectProblem(await post('/v1/tags', '{"name":"Ann"}'), 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await t.count()).toBe(1);
    expect(await t.listTags()).toEqual([]);
  });

  it.each([
    ['empty', ''],
    ['longer than 255 characters', 'k'.repeat(256)],
    ['a space', 'two words'],
    ['a non-ASCII character', 'clé'],
    ['empty quotes', '""'],
  ])('a key that is %s is 400 INVALID_IDEMPOTENCY_KEY, and nothing runs', async (_, value) => {
    const t = new TestTenant();
    const response = await api()
      .post('/v1/contacts')
      .set(t.headers())
      .set(KEY, value)
      .send({ name: 'Ann' });
    expectProblem(response, 400, 'INVALID_IDEMPOTENCY_KEY');
    expect(await t.count()).toBe(0);
  });

  it('accepts 255 visible characters, and a quoted key (RFC 8941 string) is the same key', async () => {
    const t = new TestTenant();
    const long = `${newKey()}!~`.padEnd(255, 'x');
    const first = await api().post('/v1/tags').set(t.headers()).set(KEY, long).send({ name: 'a' });
    expect(first.status).toBe(201);
    const quoted = await api()
      .post('/v1/tags')
      .set(t.headers())
      .set(KEY, `"${long}"`)
      .send({ name: 'a' });
    expect(quoted.headers['idempotent-replayed']).toBe('true');
    expect(quoted.body).toEqual(first.body);
  });

  it('keys are scoped to the tenant', async () => {
    const a = new TestTenant();
    const b = new TestTenant();
    const key = newKey();
    const first = await api()
      .post('/v1/contacts')
      .set(a.headers())
      .set(KEY, key)
      .send({ name: 'A' });
    const other = await api()
      .post('/v1/contacts')
      .set(b.headers())
      .set(KEY, key)
      .send({ name: 'B' });
    expect(other.status).toBe(201);
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    expect(other.body.id).not.toBe(first.body.id);
    expect(await b.count()).toBe(1);
  });

  it('20 concurrent first requests with one key run once; the others get 409 or the replay', async () => {
    const t = new TestTenant();
    const key = newKey();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        api().post('/v1/contacts').set(t.headers()).set(KEY, key).send({ name: 'Ann' }),
      ),
    );
    const fresh = responses.filter(
      (r) => r.status === 201 && r.headers['idempotent-replayed'] === undefined,
    );
    expect(fresh).toHaveLength(1);
    for (const response of responses) {
      if (response.status === 409) {
        expectProblem(response, 409, 'IDEMPOTENCY_KEY_IN_USE');
        expect(response.headers['retry-after']).toBe('1');
      } else {
        expect(response.status).toBe(201);
        expect(response.body).toEqual(fresh[0].body);
      }
    }
    expect(await t.count()).toBe(1);
  });
});
