import { api, as, expectProblem, newTenantId } from '../support/api';
import { isolatedServerEnv } from '../support/backend';
import { Contact, ContactPage, phoneNumber } from '../support/contacts';
import {
  REPLICA_HEADER,
  RoundRobinProxy,
  startRoundRobinProxy,
} from '../support/round-robin-proxy';
import { RunningServer, startServer } from '../support/server';
import { replicas, Replicas } from './replicas';

/**
 * Two API processes on one database agree: whatever one wrote the other reads at once, and a
 * page token from one continues on the other. On the cluster target these are the suite's own
 * replicas (with two workers beside them); elsewhere the spec starts two on the shared database.
 */
describe('across API replicas', () => {
  let pair: Replicas;
  let a: string;
  let b: string;

  beforeAll(async () => {
    pair = await replicas(2);
    [a, b] = pair.urls;
  }, 120_000);
  afterAll(async () => {
    await pair?.stop();
  });

  it('are two processes', async () => {
    expect(a).not.toBe(b);
    for (const url of [a, b]) await api(url).get('/health').expect(200);
  });

  it('read-your-writes: a contact created on one is read, listed, counted and searched on the other', async () => {
    const headers = as(newTenantId());
    const created = await api(a)
      .post('/v1/contacts')
      .set(headers)
      .send({ name: 'Ada Replica', phone: phoneNumber(150_001) })
      .expect(201);
    const contact = created.body as Contact;

    expect((await api(b).get(`/v1/contacts/${contact.id}`).set(headers).expect(200)).body).toEqual(
      contact,
    );
    const listed = await api(b).get('/v1/contacts').set(headers).expect(200);
    expect((listed.body as ContactPage).contacts).toEqual([contact]);
    expect((await api(b).get('/v1/contacts/count').set(headers).expect(200)).body).toEqual({
      totalSize: 1,
    });
    const found = await api(b).get('/v1/contacts?search=replica').set(headers).expect(200);
    expect((found.body as ContactPage).contacts.map((c) => c.id)).toEqual([contact.id]);
  });

  it('every later write on one replica is seen by the next read on the other', async () => {
    const headers = as(newTenantId());
    const contact = (
      await api(b)
        .post('/v1/contacts')
        .set(headers)
        .send({ name: 'Before', phone: phoneNumber(150_002) })
        .expect(201)
    ).body as Contact;

    await api(a)
      .patch(`/v1/contacts/${contact.id}`)
      .set(headers)
      .send({ name: 'After' })
      .expect(200);
    expect(
      (await api(b).get(`/v1/contacts/${contact.id}`).set(headers).expect(200)).body.name,
    ).toBe('After');

    const tag = (await api(b).post('/v1/tags').set(headers).send({ name: 'vip' }).expect(201))
      .body as { id: string };
    await api(a).post(`/v1/contacts/${contact.id}/tags/${tag.id}`).set(headers).expect(204);
    const tags = (await api(b).get('/v1/tags').set(headers).expect(200)).body.tags;
    expect(tags).toEqual([expect.objectContaining({ id: tag.id, labeledCount: 1 })]);
    const tagged = await api(b).get(`/v1/contacts?tagIds=${tag.id}`).set(headers).expect(200);
    expect((tagged.body as ContactPage).contacts.map((c) => c.id)).toEqual([contact.id]);

    const field = (
      await api(a)
        .post('/v1/contacts/custom-fields')
        .set(headers)
        .send({ name: 'Stage', type: 'text' })
        .expect(201)
    ).body as { id: string; key: string };
    await api(b)
      .put(`/v1/contacts/${contact.id}/custom-fields/${field.id}`)
      .set(headers)
      .send({ value: 'lead' })
      .expect(204);
    expect(
      (await api(a).get(`/v1/contacts/${contact.id}`).set(headers).expect(200)).body.customFields,
    ).toEqual({ [field.key]: 'lead' });

    await api(b).post(`/v1/contacts/${contact.id}/archive`).set(headers).expect(204);
    expect((await api(a).get('/v1/contacts/count').set(headers).expect(200)).body).toEqual({
      totalSize: 0,
    });
    expect(
      (await api(a).get('/v1/contacts/count?archived=true').set(headers).expect(200)).body,
    ).toEqual({ totalSize: 1 });

    await api(a).delete(`/v1/contacts/${contact.id}`).set(headers).expect(204);
    expectProblem(await api(b).get(`/v1/contacts/${contact.id}`).set(headers), 404);
  });

  it('a phone taken through one replica is refused (409) through the other', async () => {
    const headers = as(newTenantId());
    const phone = phoneNumber(150_003);
    const first = await api(a).post('/v1/contacts').set(headers).send({ phone }).expect(201);
    const again = await api(b).post('/v1/contacts').set(headers).send({ phone });
    expect(expectProblem(again, 409, 'PHONE_ALREADY_EXISTS').conflictingContactId).toBe(
      first.body.id,
    );
  });

  it('a page token from one replica continues on the other: each contact once, in order', async () => {
    const headers = as(newTenantId());
    for (let i = 0; i < 7; i++) {
      await api(i % 2 ? a : b)
        .post('/v1/contacts')
        .set(headers)
        .send({ name: `Paged ${i}` })
        .expect(201);
    }
    const everything = (await api(a).get('/v1/contacts?pageSize=100').set(headers).expect(200))
      .body as ContactPage;
    expect(everything.contacts).toHaveLength(7);

    for (const query of ['pageSize=2', 'pageSize=3&orderBy=name&search=paged']) {
      const ids: string[] = [];
      let token = '';
      for (let page = 0; page === 0 || token; page++) {
        const url = page % 2 ? b : a;
        const response = await api(url)
          .get(`/v1/contacts?${query}${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`)
          .set(headers)
          .expect(200);
        ids.push(...(response.body as ContactPage).contacts.map((c) => c.id));
        token = (response.body as ContactPage).nextPageToken;
        expect(page).toBeLessThan(10);
      }
      // The same query answered in one page by one replica.
      const whole = query.replace(/pageSize=\d+/, 'pageSize=100');
      const expected = await api(b).get(`/v1/contacts?${whole}`).set(headers).expect(200);
      expect(expected.body.contacts).toHaveLength(7);
      expect(ids).toEqual((expected.body as ContactPage).contacts.map((c) => c.id));
    }
  });

  it('a token from one replica keeps its filters on the other (400 PAGE_TOKEN_MISMATCH)', async () => {
    const headers = as(newTenantId());
    for (let i = 0; i < 3; i++) {
      await api(a)
        .post('/v1/contacts')
        .set(headers)
        .send({ name: `M ${i}` })
        .expect(201);
    }
    const first = await api(a).get('/v1/contacts?pageSize=1').set(headers).expect(200);
    const token = encodeURIComponent(first.body.nextPageToken as string);
    const other = await api(b)
      .get(`/v1/contacts?pageSize=1&orderBy=name&pageToken=${token}`)
      .set(headers);
    expectProblem(other, 400, 'PAGE_TOKEN_MISMATCH');
  });

  describe('through a round-robin proxy over the pair', () => {
    let proxy: RoundRobinProxy;
    beforeAll(async () => {
      proxy = await startRoundRobinProxy([a, b]);
    });
    afterAll(async () => {
      await proxy?.close();
    });

    it("sends one caller's consecutive requests to alternate replicas, and each read sees the write before it", async () => {
      const headers = as(newTenantId());
      const seen: string[] = [];
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const created = await api(proxy.url)
          .post('/v1/contacts')
          .set(headers)
          .send({ name: `Proxied ${i}` })
          .expect(201);
        seen.push(String(created.headers[REPLICA_HEADER]));
        ids.unshift(created.body.id as string);
        const listed = await api(proxy.url).get('/v1/contacts').set(headers).expect(200);
        seen.push(String(listed.headers[REPLICA_HEADER]));
        expect((listed.body as ContactPage).contacts.map((c) => c.id)).toEqual(ids);
      }
      expect(seen).toEqual(['1', '2', '1', '2', '1', '2', '1', '2']);
    });

    it('streams a CSV upload through to a replica and its status is read on the other', async () => {
      const headers = as(newTenantId());
      const upload = await api(proxy.url)
        .post('/v1/contacts/import')
        .set(headers)
        .attach('file', Buffer.from('name,phone\nStreamed,+48600150009\n'), 'c.csv');
      // On the embedded pair no worker is wanted here, so only the acceptance is asserted.
      expect(upload.status).toBe(202);
      const status = await api(proxy.url)
        .get(`/v1/contacts/imports/${upload.body.importId}`)
        .set(headers)
        .expect(200);
      expect(status.headers[REPLICA_HEADER]).not.toBe(upload.headers[REPLICA_HEADER]);
      expect(status.body.importId).toBe(upload.body.importId);
    });
  });
});

describe('a replica configured with another PAGE_TOKEN_SECRET', () => {
  let pair: Replicas;
  let other: RunningServer;
  beforeAll(async () => {
    pair = await replicas(1);
    other = await startServer({ ...isolatedServerEnv(), PAGE_TOKEN_SECRET: 'x'.repeat(40) });
  }, 120_000);
  afterAll(async () => {
    await Promise.all([pair?.stop(), other?.stop()]);
  });

  it("refuses the others' page tokens (400 INVALID_PAGE_TOKEN): every replica needs the same secret", async () => {
    const headers = as(newTenantId());
    for (let i = 0; i < 2; i++) {
      await api(pair.urls[0])
        .post('/v1/contacts')
        .set(headers)
        .send({ name: `S ${i}` })
        .expect(201);
    }
    const first = await api(pair.urls[0]).get('/v1/contacts?pageSize=1').set(headers).expect(200);
    const token = encodeURIComponent(first.body.nextPageToken as string);
    expectProblem(
      await api(other.url).get(`/v1/contacts?pageSize=1&pageToken=${token}`).set(headers),
      400,
      'INVALID_PAGE_TOKEN',
    );
  });
});
