import { createHmac } from 'node:crypto';
import { api, as, expectProblem, newTenantId } from '../support/api';
import { Receiver, startReceiver } from '../support/events';

type Headers = Record<string, string>;
const WEBHOOK_ID = /^wh_[0-9A-HJKMNP-TV-Z]{26}$/;
const ALL_TYPES = [
  'contact.created',
  'contact.updated',
  'contact.archived',
  'contact.unarchived',
  'contact.deleted',
];

async function createWebhook(headers: Headers, body: Record<string, unknown>) {
  const response = await api().post('/v1/webhooks').set(headers).send(body);
  if (response.status !== 201)
    throw new Error(`${response.status} ${JSON.stringify(response.body)}`);
  return response.body as {
    id: string;
    url: string;
    events: string[];
    secret: string;
    createdAt: string;
  };
}

async function createContact(headers: Headers, name: string): Promise<string> {
  const response = await api().post('/v1/contacts').set(headers).send({ name });
  expect(response.status).toBe(201);
  return response.body.id as string;
}

const bodies = (receiver: Receiver, path: string) =>
  receiver.received
    .filter((r) => r.path === path)
    .map((r) => JSON.parse(r.body) as Record<string, string>);

describe('Webhooks: POST|GET /v1/webhooks, DELETE /v1/webhooks/{id}', () => {
  let receiver: Receiver;
  beforeAll(async () => (receiver = await startReceiver()));
  afterAll(() => receiver.close());

  it('creates (secret shown once), lists without secrets, deletes; another tenant’s id is 404', async () => {
    const tenantId = newTenantId();
    const headers = as(tenantId);
    const created = await createWebhook(headers, { url: 'https://example.com/hook' });
    expect(created).toEqual({
      id: expect.stringMatching(WEBHOOK_ID),
      url: 'https://example.com/hook',
      events: ALL_TYPES,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
    });
    expect(Buffer.from(created.secret.slice(6), 'base64')).toHaveLength(32);
    const some = await createWebhook(headers, {
      url: 'http://example.com/two',
      events: ['contact.deleted', 'contact.created'],
    });
    expect(some.events).toEqual(['contact.created', 'contact.deleted']);

    const listed = await api().get('/v1/webhooks').set(headers).expect(200);
    const { secret: _secret, ...withoutSecret } = created;
    void _secret;
    expect(listed.body).toEqual({
      webhooks: [
        withoutSecret,
        { id: some.id, url: some.url, events: some.events, createdAt: some.createdAt },
      ],
    });

    const other = as(newTenantId());
    expect((await api().get('/v1/webhooks').set(other).expect(200)).body).toEqual({ webhooks: [] });
    expectProblem(
      await api().delete(`/v1/webhooks/${created.id}`).set(other),
      404,
      'WEBHOOK_NOT_FOUND',
    );
    await api().delete(`/v1/webhooks/${created.id}`).set(headers).expect(204);
    expectProblem(
      await api().delete(`/v1/webhooks/${created.id}`).set(headers),
      404,
      'WEBHOOK_NOT_FOUND',
    );
    expect((await api().get('/v1/webhooks').set(headers)).body.webhooks).toHaveLength(1);
  });

  it('refuses invalid bodies with 422 naming the field', async () => {
    const headers = as(newTenantId());
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'url'],
      [{ url: 'ftp://example.com/x' }, 'url'],
      [{ url: 'not a url' }, 'url'],
      [{ url: 42 }, 'url'],
      [{ url: `https://example.com/${'x'.repeat(2100)}` }, 'url'],
      [{ url: 'https://example.com', events: [] }, 'events'],
      [{ url: 'https://example.com', events: ['contact.exploded'] }, 'events'],
      [{ url: 'https://example.com', events: ['contact.created', 'contact.created'] }, 'events'],
      [{ url: 'https://example.com', events: 'contact.created' }, 'events'],
      [{ url: 'https://example.com', secret: 'mine' }, 'secret'],
    ];
    for (const [body, field] of cases) {
      const problem = expectProblem(await api().post('/v1/webhooks').set(headers).send(body), 422);
      expect((problem.errors as { field: string }[]).map((e) => e.field)).toContain(field);
    }
    expect((await api().get('/v1/webhooks').set(headers)).body.webhooks).toEqual([]);
  });

  it('needs webhook:manage and role owner or admin', async () => {
    const tenantId = newTenantId();
    for (const role of ['owner', 'admin']) {
      await api()
        .get('/v1/webhooks')
        .set(as(tenantId, { role, scopes: ['webhook:manage'] }))
        .expect(200);
    }
    for (const headers of [
      as(tenantId, { role: 'agent' }),
      as(tenantId, { scopes: ['contact:list', 'contact:read'] }),
    ]) {
      expectProblem(await api().get('/v1/webhooks').set(headers), 403);
      expectProblem(
        await api().post('/v1/webhooks').set(headers).send({ url: 'https://example.com' }),
        403,
      );
      expectProblem(await api().delete('/v1/webhooks/wh_x').set(headers), 403);
    }
    await api().get('/v1/webhooks').expect(401);
  });

  it('delivers each event signed with Standard Webhooks headers; the signature verifies with the secret', async () => {
    const headers = as(newTenantId());
    const webhook = await createWebhook(headers, { url: `${receiver.url}/signed` });
    const id = await createContact(headers, 'Ada');
    await receiver.waitFor((r) => r.some((x) => x.path === '/signed'));
    const [delivery] = receiver.received.filter((r) => r.path === '/signed');
    const event = JSON.parse(delivery.body);
    expect(event).toEqual({
      id: expect.stringMatching(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/),
      type: 'contact.created',
      contactId: id,
      occurredAt: expect.any(String),
    });
    expect(delivery.headers['content-type']).toMatch(/^application\/json/);
    expect(delivery.headers['webhook-id']).toBe(event.id);
    const timestamp = delivery.headers['webhook-timestamp'] as string;
    expect(timestamp).toMatch(/^\d+$/);
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
    const expected = createHmac('sha256', Buffer.from(webhook.secret.slice(6), 'base64'))
      .update(`${event.id}.${timestamp}.${delivery.body}`)
      .digest('base64');
    expect(delivery.headers['webhook-signature']).toBe(`v1,${expected}`);
    // The same event is in the feed.
    const feed = (await api().get('/v1/contacts/changes').set(headers)).body.events;
    expect(feed).toContainEqual(event);
  });

  it('only events after the subscription was created, only its chosen types, only its tenant', async () => {
    const headers = as(newTenantId());
    const before = await createContact(headers, 'Before');
    await new Promise((r) => setTimeout(r, 20));
    await createWebhook(headers, {
      url: `${receiver.url}/chosen`,
      events: ['contact.created', 'contact.deleted'],
    });
    await createWebhook(as(newTenantId()), { url: `${receiver.url}/elsewhere` });
    await new Promise((r) => setTimeout(r, 20));
    const after = await createContact(headers, 'After');
    await api().patch(`/v1/contacts/${after}`).set(headers).send({ name: 'Renamed' }).expect(200);
    await api().patch(`/v1/contacts/${before}`).set(headers).send({ name: 'Renamed' }).expect(200);
    await api().delete(`/v1/contacts/${after}`).set(headers).expect(204);
    await receiver.waitFor(() =>
      bodies(receiver, '/chosen').some((b) => b.type === 'contact.deleted'),
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(bodies(receiver, '/chosen').map((b) => `${b.type} ${b.contactId}`)).toEqual([
      `contact.created ${after}`,
      `contact.deleted ${after}`,
    ]);
    expect(bodies(receiver, '/elsewhere')).toEqual([]);
  });

  it('a receiver answering 500 is retried and gets the event; a contact’s events stay in order', async () => {
    const headers = as(newTenantId());
    let failures = 0;
    receiver.respond((req) => (req.path === '/flaky' && failures++ === 0 ? 500 : 204));
    await createWebhook(headers, { url: `${receiver.url}/flaky` });
    const id = await createContact(headers, 'Ada');
    await api().patch(`/v1/contacts/${id}`).set(headers).send({ name: 'Bea' }).expect(200);
    await api().post(`/v1/contacts/${id}/archive`).set(headers).expect(204);
    await receiver.waitFor(() => bodies(receiver, '/flaky').length >= 4, 30_000);
    const got = receiver.received.filter((r) => r.path === '/flaky');
    // The first attempt failed; the retry came within 10 s and the later events waited for it.
    expect(got[1].headers['webhook-id']).toBe(got[0].headers['webhook-id']);
    expect(got[1].at - got[0].at).toBeLessThan(10_000);
    expect(bodies(receiver, '/flaky').map((b) => b.type)).toEqual([
      'contact.created',
      'contact.created',
      'contact.updated',
      'contact.archived',
    ]);
    receiver.respond(() => 204);
  }, 60_000);

  it('a deleted subscription gets nothing more', async () => {
    const headers = as(newTenantId());
    const doomed = await createWebhook(headers, { url: `${receiver.url}/doomed` });
    await createWebhook(headers, { url: `${receiver.url}/witness` });
    await createContact(headers, 'First');
    await receiver.waitFor(
      () => bodies(receiver, '/doomed').length === 1 && bodies(receiver, '/witness').length === 1,
    );
    await api().delete(`/v1/webhooks/${doomed.id}`).set(headers).expect(204);
    const second = await createContact(headers, 'Second');
    await receiver.waitFor(() => bodies(receiver, '/witness').some((b) => b.contactId === second));
    await new Promise((r) => setTimeout(r, 1000));
    expect(bodies(receiver, '/doomed')).toHaveLength(1);
  });

  it('are in the OpenAPI document with scope webhook:manage for owner and admin, beside the feed', async () => {
    const document = (await api().get('/docs-json').expect(200)).body;
    for (const [path, method] of [
      ['/v1/webhooks', 'post'],
      ['/v1/webhooks', 'get'],
      ['/v1/webhooks/{id}', 'delete'],
    ]) {
      const operation = document.paths[path][method];
      expect(operation['x-required-scopes']).toEqual(['webhook:manage']);
      expect(operation['x-allowed-roles']).toEqual(['owner', 'admin']);
    }
    const feed = document.paths['/v1/contacts/changes'].get;
    expect(feed['x-required-scopes']).toEqual(['contact:list']);
    expect(feed['x-allowed-roles']).toEqual(['owner', 'admin', 'agent']);
    expect(Object.keys(feed.responses)).toEqual(expect.arrayContaining(['200', '400', '410']));
    expect(Object.keys(document.paths['/v1/webhooks'].post.responses)).toEqual(
      expect.arrayContaining(['201', '422']),
    );
  });
});
