import { decode } from 'jsonwebtoken';
import { api, bearer, tokenFor, newTenantId } from '../support/api';
import { backendEnv, freshSqliteUrl } from '../support/backend';
import { MAIN, RunningServer, runToExit, startServer } from '../support/server';
import { waitFor } from '../support/shapes';

const { JWT_SECRET: _secret, ...withoutJwt } = backendEnv();

/** Each case: an environment that must not start, and the variable the message must name. */
const REFUSED: [name: string, env: Record<string, string | undefined>, variable: string][] = [
  ['PORT=abc', { ...backendEnv(), PORT: 'abc' }, 'PORT'],
  ['DATABASE_URL=postgres://x', { ...backendEnv(), DATABASE_URL: 'postgres://x' }, 'DATABASE_URL'],
  ['REDIS_URL=nonsense', { ...backendEnv(), REDIS_URL: 'nonsense' }, 'REDIS_URL'],
  [
    'a JWT_SECRET shorter than 32 characters',
    { ...backendEnv(), JWT_SECRET: 'too-short' },
    'JWT_SECRET',
  ],
  [
    'JWT_PUBLIC_KEY that is no key',
    { ...withoutJwt, JWT_PUBLIC_KEY: 'not a key' },
    'JWT_PUBLIC_KEY',
  ],
  [
    'NODE_ENV=production without JWT_SECRET or JWT_PUBLIC_KEY',
    { ...withoutJwt, DATABASE_URL: freshSqliteUrl(), NODE_ENV: 'production' },
    'JWT_SECRET',
  ],
];

describe('configuration validated at start', () => {
  // Loading the app takes a moment before the configuration is read: start them all at once.
  const runs = new Map<string, Promise<{ code: number | null; output: string }>>();
  beforeAll(() => {
    for (const [name, env] of REFUSED) runs.set(name, runToExit(MAIN, env, [], 30_000));
  });

  it.each(REFUSED)('refuses to start with %s', async (name, _env, variable) => {
    const { code, output } = await runs.get(name)!;
    expect(code).not.toBeNull(); // null: killed by the timeout, i.e. it started anyway
    expect(code).not.toBe(0);
    expect(output).toContain(`Invalid configuration: ${variable}`);
    expect(output).not.toMatch(/\bat .+:\d+:\d+\)/); // a message, not a stack trace
    expect(output).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/); // and no development token
  });
});

describe('without any JWT configuration outside production', () => {
  let server: RunningServer;
  let printed: string;

  beforeAll(async () => {
    server = await startServer({ DATABASE_URL: freshSqliteUrl() });
    // The banner is written right after the server starts listening.
    printed = await waitFor('the development token', () =>
      /Swagger UI/.test(server.output()) && /eyJ[\w-]+\.[\w-]+\.[\w-]+/.test(server.output())
        ? server.output()
        : undefined,
    );
  });

  afterAll(async () => {
    await server?.stop();
  });

  const printedToken = () => /eyJ[\w-]+\.[\w-]+\.[\w-]+/.exec(printed)?.[0] ?? '';

  it('prints the Swagger UI address', () => {
    const port = new URL(server.url).port;
    expect(printed).toMatch(new RegExp(`https?://[^\\s]+:${port}/docs\\b`));
  });

  it('prints a token that works against that server', async () => {
    const token = printedToken();
    const claims = decode(token) as Record<string, unknown>;
    expect(claims).toMatchObject({
      role: 'admin',
      tenantId: expect.any(String),
      sub: expect.any(String),
      exp: expect.any(Number),
    });
    await api(server.url).get('/v1/tags').set(bearer(token)).expect(200);
    await api(server.url).get('/v1/contacts/custom-fields').set(bearer(token)).expect(200);
  });

  it('does not accept tokens signed with another secret', async () => {
    const response = await api(server.url)
      .get('/v1/tags')
      .set(bearer(tokenFor(newTenantId())));
    expect(response.status).toBe(401);
  });

  it('serves Swagger UI', async () => {
    const response = await api(server.url).get('/docs').redirects(1).expect(200);
    expect(response.headers['content-type']).toMatch(/text\/html/);
  });
});
