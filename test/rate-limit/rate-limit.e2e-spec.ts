import { api, as, expectProblem, newTenantId } from '../support/api';
import { isolatedServerEnv } from '../support/backend';
import { postCsv } from '../support/imports';
import { MAIN, RunningServer, runToExit, startServer } from '../support/server';
import { sleep } from '../support/shapes';
import { testTarget } from '../support/test-target';

const LIMIT = 5;
const SEARCH_LIMIT = 2;
const limited = {
  RATE_LIMIT_PER_MINUTE: String(LIMIT),
  RATE_LIMIT_SEARCH_PER_MINUTE: String(SEARCH_LIMIT),
};

/** Budgets are minute windows on the clock: start a burst well inside one. */
async function insideOneWindow(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 10_000) await sleep(left + 200);
}

describe('per-tenant rate limits (CONTRACT §14)', () => {
  let server: RunningServer;
  let unlimited: RunningServer;
  beforeAll(async () => {
    [server, unlimited] = await Promise.all([
      startServer({ ...isolatedServerEnv(), ...limited }),
      startServer({ ...isolatedServerEnv(), RATE_LIMIT_PER_MINUTE: '0' }),
    ]);
  });
  afterAll(() => Promise.all([server?.stop(), unlimited?.stop()]));
  beforeEach(insideOneWindow);

  it('every limited response carries RateLimit-Policy and RateLimit', async () => {
    const headers = as(newTenantId());
    for (let i = 1; i <= 3; i++) {
      const response = await api(server.url).get('/v1/tags').set(headers).expect(200);
      expect(response.headers['ratelimit-policy']).toBe(`"default";q=${LIMIT};w=60`);
      expect(response.headers['ratelimit']).toMatch(
        new RegExp(`^"default";r=${LIMIT - i};t=\\d+$`),
      );
      const reset = Number(/t=(\d+)/.exec(response.headers['ratelimit'])![1]);
      expect(reset).toBeGreaterThanOrEqual(1);
      expect(reset).toBeLessThanOrEqual(60);
    }
    // Errors count and carry the fields too.
    const missing = await api(server.url).get('/v1/contacts/con_nope').set(headers);
    expect(missing.status).toBe(404);
    expect(missing.headers['ratelimit']).toMatch(/^"default";r=1;t=\d+$/);
  });

  it('over budget: 429 RATE_LIMITED with Retry-After; another tenant is unaffected', async () => {
    const noisy = as(newTenantId());
    for (let i = 0; i < LIMIT; i++) await api(server.url).get('/v1/tags').set(noisy).expect(200);
    const refused = await api(server.url).post('/v1/tags').set(noisy).send({ name: 'x' });
    const problem = expectProblem(refused, 429, 'RATE_LIMITED');
    expect(problem.type).toBe('/problems/rate-limited');
    const retryAfter = Number(refused.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers['ratelimit']).toMatch(/^"default";r=0;t=\d+$/);
    // Refused means not done: the tag was not created.
    const other = as(newTenantId());
    const response = await api(server.url).get('/v1/tags').set(other).expect(200);
    expect(response.headers['ratelimit']).toMatch(new RegExp(`^"default";r=${LIMIT - 1};`));
    expect(response.body).toEqual({ tags: [] });
  });

  it('search lists and uploads have their own smaller budget; other lists do not use it', async () => {
    const headers = as(newTenantId());
    const first = await api(server.url).get('/v1/contacts?search=anna').set(headers).expect(200);
    expect(first.headers['ratelimit-policy']).toBe(
      `"default";q=${LIMIT};w=60, "search";q=${SEARCH_LIMIT};w=60`,
    );
    expect(first.headers['ratelimit']).toMatch(
      new RegExp(`^"default";r=${LIMIT - 1};t=\\d+, "search";r=${SEARCH_LIMIT - 1};t=\\d+$`),
    );
    const plain = await api(server.url).get('/v1/contacts').set(headers).expect(200);
    expect(plain.headers['ratelimit-policy']).toBe(`"default";q=${LIMIT};w=60`);
    const upload = await postCsv(headers, 'name\nAnna\n', { url: server.url });
    expect(upload.status).toBe(202);
    expect(upload.headers['ratelimit']).toMatch(/"search";r=0;/);
    const refused = await api(server.url).get('/v1/contacts?search=bob').set(headers);
    expectProblem(refused, 429, 'RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // The default budget still has room for a list without search.
    await api(server.url).get('/v1/contacts/count').set(headers).expect(200);
  });

  it('health endpoints are never limited and carry no RateLimit fields', async () => {
    for (let i = 0; i < LIMIT + 3; i++) {
      const live = await api(server.url).get('/health').expect(200);
      expect(live.headers['ratelimit']).toBeUndefined();
    }
    const ready = await api(server.url).get('/health/ready').expect(200);
    expect(ready.headers['ratelimit-policy']).toBeUndefined();
  });

  it('requests refused before authentication are not counted against a tenant', async () => {
    const response = await api(server.url).get('/v1/tags');
    expectProblem(response, 401, 'UNAUTHORIZED');
    expect(response.headers['ratelimit']).toBeUndefined();
  });

  it('RATE_LIMIT_PER_MINUTE=0 turns limiting off', async () => {
    const headers = as(newTenantId());
    for (let i = 0; i < LIMIT * 3; i++) {
      const response = await api(unlimited.url)
        .get('/v1/contacts?search=x')
        .set(headers)
        .expect(200);
      expect(response.headers['ratelimit-policy']).toBeUndefined();
    }
  });

  it('a bad RATE_LIMIT_* value stops the start, naming the variable', async () => {
    const runs = await Promise.all(
      ['RATE_LIMIT_PER_MINUTE', 'RATE_LIMIT_SEARCH_PER_MINUTE'].map((name) =>
        runToExit(MAIN, { ...isolatedServerEnv(), [name]: '-1' }, [], 80_000),
      ),
    );
    expect(runs[0].code).toBe(1);
    expect(runs[0].output).toMatch(/RATE_LIMIT_PER_MINUTE/);
    expect(runs[1].code).toBe(1);
    expect(runs[1].output).toMatch(/RATE_LIMIT_SEARCH_PER_MINUTE/);
  }, 90_000);
});

describe('two API processes', () => {
  let servers: RunningServer[];
  beforeAll(async () => {
    // On MariaDB both use the suite's Redis: one shared counter per tenant.
    const env = { ...isolatedServerEnv(), ...limited };
    servers = await Promise.all([startServer(env), startServer(env)]);
  });
  afterAll(() => Promise.all(servers.map((s) => s.stop())));
  beforeEach(insideOneWindow);

  if (testTarget() === 'mariadb') {
    it('share one budget through Redis', async () => {
      const headers = as(newTenantId());
      const remaining: string[] = [];
      for (let i = 0; i < LIMIT; i++) {
        const response = await api(servers[i % 2].url)
          .get('/v1/tags')
          .set(headers)
          .expect(200);
        remaining.push(/r=(\d+)/.exec(response.headers['ratelimit'])![1]);
      }
      expect(remaining).toEqual(['4', '3', '2', '1', '0']);
      for (const s of servers) {
        expectProblem(await api(s.url).get('/v1/tags').set(headers), 429, 'RATE_LIMITED');
      }
    });
  } else {
    it('without Redis each process counts in its own memory', async () => {
      const headers = as(newTenantId());
      for (let i = 0; i < LIMIT; i++)
        await api(servers[0].url).get('/v1/tags').set(headers).expect(200);
      expectProblem(await api(servers[0].url).get('/v1/tags').set(headers), 429, 'RATE_LIMITED');
      await api(servers[1].url).get('/v1/tags').set(headers).expect(200);
    });
  }
});
