/**
 * Cross-replica tests of the state every replica must agree on: Idempotency-Key (CONTRACT
 * section 11) and rate limits (section 14).
 *
 * Each runs on every target: the pair is the cluster's two API processes, two API processes
 * started on the shared MariaDB + Redis, or on the embedded default two processes on one SQLite
 * file (where rate-limit counters are per process, see below).
 */
import { api, as, expectProblem, newTenantId } from '../support/api';
import { phoneNumber } from '../support/contacts';
import { testTarget } from '../support/test-target';
import { replicas, Replicas } from './replicas';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Idempotency-Key across API replicas (CONTRACT section 11)', () => {
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

  async function count(url: string, headers: Record<string, string>): Promise<number> {
    return (await api(url).get('/v1/contacts/count').set(headers).expect(200)).body
      .totalSize as number;
  }

  it('a retry sent to the other replica gets the kept response and writes nothing', async () => {
    const headers = { ...as(newTenantId()), 'Idempotency-Key': 'create-1' };
    const body = { name: 'Once', phone: phoneNumber(151_001) };
    const first = await api(a).post('/v1/contacts').set(headers).send(body).expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    const retry = await api(b).post('/v1/contacts').set(headers).send(body);
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['content-type']).toBe(first.headers['content-type']);
    expect(await count(a, headers)).toBe(1);
    expect(await count(b, headers)).toBe(1);
  });

  it('the same key with another body on the other replica: 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const headers = { ...as(newTenantId()), 'Idempotency-Key': 'create-2' };
    await api(a).post('/v1/contacts').set(headers).send({ name: 'First' }).expect(201);
    expectProblem(
      await api(b).post('/v1/contacts').set(headers).send({ name: 'Other' }),
      422,
      'IDEMPOTENCY_KEY_REUSED',
    );
    expect(await count(b, headers)).toBe(1);
  });

  it('a kept 409 is replayed by the other replica too', async () => {
    const tenant = as(newTenantId());
    const phone = phoneNumber(151_003);
    await api(a).post('/v1/contacts').set(tenant).send({ phone }).expect(201);
    const headers = { ...tenant, 'Idempotency-Key': 'dup-phone' };
    const conflict = await api(a).post('/v1/contacts').set(headers).send({ phone });
    expectProblem(conflict, 409, 'PHONE_ALREADY_EXISTS');
    const replay = await api(b).post('/v1/contacts').set(headers).send({ phone });
    expect(replay.status).toBe(409);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(conflict.body);
  });

  it('20 concurrent first requests with one key, split over both replicas, run once', async () => {
    const headers = { ...as(newTenantId()), 'Idempotency-Key': 'race' };
    const body = { name: 'Raced', phone: phoneNumber(151_004) };
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api(i % 2 ? b : a)
          .post('/v1/contacts')
          .set(headers)
          .send(body),
      ),
    );
    const ran = responses.filter((r) => r.status === 201 && !r.headers['idempotent-replayed']);
    expect(ran).toHaveLength(1);
    for (const response of responses) {
      if (response.status === 409) {
        expect(response.body.code).toBe('IDEMPOTENCY_KEY_IN_USE');
        expect(response.headers['retry-after']).toBe('1');
      } else {
        expect(response.status).toBe(201);
        expect(response.body).toEqual(ran[0].body);
      }
    }
    expect(await count(a, headers)).toBe(1);
  });

  it('an import upload replayed on the other replica returns the same importId', async () => {
    const headers = { ...as(newTenantId()), 'Idempotency-Key': 'upload-1' };
    const file = Buffer.from(`name,phone\nImported,${phoneNumber(151_005)}\n`);
    const upload = (url: string) =>
      api(url).post('/v1/contacts/import').set(headers).attach('file', file, 'c.csv');
    const first = await upload(a);
    expect(first.status).toBe(202);
    const replay = await upload(b);
    expect(replay.status).toBe(202);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
  });
});

describe('rate limits across API replicas (CONTRACT section 14)', () => {
  const LIMIT = 6;
  const SEARCH_LIMIT = 3;
  let pair: Replicas;
  // With Redis every replica counts in one place. On the embedded default there is no Redis and
  // counters are per process, so there the budget is checked on one server.
  const shared = testTarget() === 'mariadb';

  beforeAll(async () => {
    pair = await replicas(shared ? 2 : 1, {
      RATE_LIMIT_PER_MINUTE: String(LIMIT),
      RATE_LIMIT_SEARCH_PER_MINUTE: String(SEARCH_LIMIT),
    });
  }, 120_000);
  afterAll(async () => {
    await pair?.stop();
  });

  /** Away from a minute boundary, so a fixed window cannot reset in the middle of a test. */
  async function freshWindow() {
    const second = new Date().getUTCSeconds();
    if (second > 50) await sleep((61 - second) * 1000);
  }

  const replica = (i: number) => pair.urls[i % pair.urls.length];

  it('one budget for a tenant whichever replica answers; the 429 carries Retry-After', async () => {
    await freshWindow();
    const headers = as(newTenantId());
    for (let i = 0; i < LIMIT; i++) {
      const response = await api(replica(i)).get('/v1/tags').set(headers);
      expect(response.status).toBe(200);
      expect(response.headers['ratelimit-policy']).toEqual(expect.any(String));
      expect(response.headers['ratelimit']).toEqual(expect.any(String));
    }
    for (let i = 0; i < pair.urls.length; i++) {
      const over = await api(replica(i)).get('/v1/tags').set(headers);
      expectProblem(over, 429, 'RATE_LIMITED');
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    }
  }, 90_000);

  it('another tenant keeps its own budget on every replica', async () => {
    await freshWindow();
    const spent = as(newTenantId());
    for (let i = 0; i <= LIMIT; i++) await api(replica(i)).get('/v1/tags').set(spent);
    expectProblem(await api(replica(0)).get('/v1/tags').set(spent), 429, 'RATE_LIMITED');
    const other = as(newTenantId());
    for (let i = 0; i < pair.urls.length; i++) {
      await api(replica(i)).get('/v1/tags').set(other).expect(200);
    }
  }, 90_000);

  it('the search budget is shared too, and smaller', async () => {
    await freshWindow();
    const headers = as(newTenantId());
    for (let i = 0; i < SEARCH_LIMIT; i++) {
      await api(replica(i)).get('/v1/contacts?search=abc').set(headers).expect(200);
    }
    expectProblem(
      await api(replica(SEARCH_LIMIT)).get('/v1/contacts?search=abc').set(headers),
      429,
      'RATE_LIMITED',
    );
    // Plain lists still have budget left.
    await api(replica(0)).get('/v1/contacts').set(headers).expect(200);
  }, 90_000);

  it('health endpoints are never limited', async () => {
    for (let i = 0; i < LIMIT * 2; i++) await api(replica(i)).get('/health').expect(200);
  });
});
