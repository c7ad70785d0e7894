import { DataSource } from 'typeorm';
import { api, as, expectProblem, newTenantId } from '../support/api';
import { isolatedServerEnv } from '../support/backend';
import { RunningServer, startServer } from '../support/server';
import { testTarget } from '../support/test-target';

/** Keys the database holds for a tenant, read directly. */
async function storedKeys(databaseUrl: string, tenantId: string): Promise<number> {
  const source =
    testTarget() === 'mariadb'
      ? new DataSource({ type: 'mysql', url: databaseUrl })
      : new DataSource({
          type: 'better-sqlite3',
          database: databaseUrl.replace(/^sqlite:/, ''),
          readonly: true,
        });
  await source.initialize();
  try {
    const rows: { n: number | string }[] = await source.query(
      'SELECT COUNT(*) AS n FROM idempotency_keys WHERE tenant_id = ?',
      [tenantId],
    );
    return Number(rows[0].n);
  } finally {
    await source.destroy();
  }
}

const KEY = 'Idempotency-Key';

describe('Idempotency-Key across processes and time', () => {
  let first: RunningServer;
  let second: RunningServer;
  let shortLived: RunningServer;
  const env: Record<string, string> = isolatedServerEnv();
  const TTL_SECONDS = 5;

  beforeAll(async () => {
    // Two API processes on one database, and a third that keeps keys for a few seconds only.
    [first, second, shortLived] = await Promise.all([
      startServer(env),
      startServer(env),
      startServer({ ...env, IDEMPOTENCY_TTL_SECONDS: String(TTL_SECONDS) }),
    ]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop(), shortLived?.stop()]);
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
      api(shortLived.url)
        .post('/v1/contacts')
        .set(headers)
        .set(KEY, 'expires')
        .send({ name: 'Ann' });
    const created = await send();
    const replayed = await send();
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    await new Promise((resolve) => setTimeout(resolve, TTL_SECONDS * 1000 + 500));
    const again = await send();
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(again.body.id).not.toBe(created.body.id);
    expect(await count(shortLived.url, headers)).toBe(2);
  });

  it('expired keys are swept from the database', async () => {
    const tenantId = newTenantId();
    const headers = as(tenantId);
    for (const key of ['a', 'b', 'c']) {
      const response = await api(shortLived.url)
        .post('/v1/tags')
        .set(headers)
        .set(KEY, key)
        .send({ name: key });
      expect(response.status).toBe(201);
    }
    expect(await storedKeys(env.DATABASE_URL, tenantId)).toBe(3);
    // The TTL to expire, then a sweep (every TTL when that is shorter than 10 minutes).
    const deadline = Date.now() + 4 * TTL_SECONDS * 1000;
    while ((await storedKeys(env.DATABASE_URL, tenantId)) > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(await storedKeys(env.DATABASE_URL, tenantId)).toBe(0);
  });
});
