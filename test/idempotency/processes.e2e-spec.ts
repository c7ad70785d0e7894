import { api, as, expectProblem, newTenantId } from '../support/api';
import { isolatedServerEnv } from '../support/backend';
import { RunningServer, startServer } from '../support/server';

const KEY = 'Idempotency-Key';

describe('Idempotency-Key across processes and time', () => {
  let first: RunningServer;
  let second: RunningServer;

  beforeAll(async () => {
    // Two API processes on one database, keeping keys for one second.
    const env = { ...isolatedServerEnv(), IDEMPOTENCY_TTL_SECONDS: '1' };
    first = await startServer(env);
    second = await startServer(env);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
  });

  const count = async (url: string, headers: Record<string, string>) =>
    (await api(url).get('/v1/contacts/count').set(headers)).body.totalSize as number;

  it('a replay sent to another API process is answered the same', async () => {
    const headers = as(newTenantId());
    const created = await api(first.url)
      .post('/v1/contacts')
      .set(headers)
      .set(KEY, 'two-processes')
      .send({ name: 'Ann' });
    expect(created.status).toBe(201);
    const replayed = await api(second.url)
      .post('/v1/contacts')
      .set(headers)
      .set(KEY, 'two-processes')
      .send({ name: 'Ann' });
    expect(replayed.status).toBe(201);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.text).toBe(created.text);
    expect(replayed.headers.etag).toBe(created.headers.etag);
    const reused = await api(second.url)
      .post('/v1/contacts')
      .set(headers)
      .set(KEY, 'two-processes')
      .send({ name: 'Bob' });
    expectProblem(reused, 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await count(second.url, headers)).toBe(1);
  });

  it('an expired key runs afresh (IDEMPOTENCY_TTL_SECONDS)', async () => {
    const headers = as(newTenantId());
    const send = () =>
      api(first.url).post('/v1/contacts').set(headers).set(KEY, 'expires').send({ name: 'Ann' });
    const created = await send();
    const replayed = await send();
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const again = await send();
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(again.body.id).not.toBe(created.body.id);
    expect(await count(first.url, headers)).toBe(2);
  });
});
