import { createHmac, generateKeyPairSync } from 'node:crypto';
import { decode, sign } from 'jsonwebtoken';
import type { Response } from 'supertest';
import {
  ALL_SCOPES,
  api,
  apiUrl,
  as,
  bearer,
  expectProblem,
  newTenantId,
  signToken,
  TokenClaims,
  tokenFor,
} from '../support/api';
import { isolatedServerEnv } from '../support/backend';
import { RunningServer, runToExit, startServer } from '../support/server';
import { TEST_JWT_SECRET } from '../support/test-target';

type Method = 'get' | 'post' | 'patch' | 'delete';

interface Operation {
  method: Method;
  path: string;
  scope: string;
  body?: object;
}

/** The 11 tag and field-definition operations, each with the one scope the reference names. */
const OPERATIONS: Operation[] = [
  { method: 'get', path: '/v1/tags', scope: 'tag:list' },
  { method: 'post', path: '/v1/tags', scope: 'tag:create', body: { name: 'Scoped' } },
  { method: 'delete', path: '/v1/tags/tag_01HV8Y9R3Q4J6A7M8N9P0Q2S4', scope: 'tag:delete' },
  { method: 'get', path: '/v1/contacts/custom-fields', scope: 'custom_field:list' },
  {
    method: 'post',
    path: '/v1/contacts/custom-fields',
    scope: 'custom_field:create',
    body: { name: 'Scoped', type: 'text' },
  },
  {
    method: 'patch',
    path: '/v1/contacts/custom-fields/cf_missing',
    scope: 'custom_field:update',
    body: { name: 'Renamed' },
  },
  { method: 'delete', path: '/v1/contacts/custom-fields/cf_missing', scope: 'custom_field:delete' },
  { method: 'get', path: '/v1/properties/custom-fields', scope: 'custom_field:list' },
  {
    method: 'post',
    path: '/v1/properties/custom-fields',
    scope: 'custom_field:create',
    body: { name: 'Scoped', type: 'date' },
  },
  {
    method: 'patch',
    path: '/v1/properties/custom-fields/cf_missing',
    scope: 'custom_field:update',
    body: { type: 'text' },
  },
  {
    method: 'delete',
    path: '/v1/properties/custom-fields/cf_missing',
    scope: 'custom_field:delete',
  },
];

function call(operation: Operation, headers: Record<string, string>, url = apiUrl()) {
  const request = api(url)[operation.method](operation.path).set(headers);
  return operation.body ? request.send(operation.body) : request;
}

function expectUnauthorized(response: Response): Record<string, any> {
  const body = expectProblem(response, 401, 'UNAUTHORIZED');
  expect(response.headers['www-authenticate']).toMatch(/^Bearer\b/);
  return body;
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function inTenMinutes(): number {
  return Math.floor(Date.now() / 1000) + 600;
}

/** A complete set of claims for a fresh tenant, with an expiry. */
function claims(overrides: TokenClaims = {}): TokenClaims {
  return {
    sub: 'usr_auth',
    tenantId: newTenantId(),
    role: 'admin',
    scope: ALL_SCOPES.join(' '),
    exp: inTenMinutes(),
    ...overrides,
  };
}

/** An HS256 token built by hand, for keys jsonwebtoken refuses to use as HMAC secrets. */
function hmacToken(payload: object, secret: string): string {
  const unsigned = `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

function rsaKeys() {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

function ecKeys() {
  return generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

describe('authentication (401)', () => {
  it('refuses a request without a token', async () => {
    const body = expectUnauthorized(await api().get('/v1/tags'));
    expect(body.instance).toBe('/v1/tags');
  });

  it('refuses every tag and field-definition operation without a token', async () => {
    for (const operation of OPERATIONS) {
      expectUnauthorized(await call(operation, {}));
    }
  });

  it.each([
    ['another scheme', 'Token abc'],
    ['Basic credentials', 'Basic dXNlcjpwYXNz'],
    ['Bearer without a token', 'Bearer'],
    ['a token without the scheme', tokenFor(newTenantId())],
  ])('refuses a malformed Authorization header (%s)', async (_case, header) => {
    expectUnauthorized(await api().get('/v1/tags').set('Authorization', header));
  });

  it.each([
    ['not a JWT', 'not-a-jwt'],
    ['three garbage segments', 'abc.def.ghi'],
    ['a JSON header but garbage payload', `${base64url({ alg: 'HS256' })}.%%%.xyz`],
  ])('refuses a garbage token (%s)', async (_case, token) => {
    expectUnauthorized(await api().get('/v1/tags').set(bearer(token)));
  });

  it('refuses an expired token', async () => {
    const token = signToken(claims({ exp: Math.floor(Date.now() / 1000) - 60 }), {});
    const body = expectUnauthorized(await api().get('/v1/tags').set(bearer(token)));
    expect(body.detail).toMatch(/expired/i);
  });

  it('refuses a token signed with another secret', async () => {
    const token = signToken(claims(), {}, 'another-secret-that-is-also-long-enough-for-hs256');
    expectUnauthorized(await api().get('/v1/tags').set(bearer(token)));
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const [header, , signature] = signToken(claims(), {}).split('.');
    const forged = `${header}.${base64url(claims({ role: 'owner' }))}.${signature}`;
    expectUnauthorized(await api().get('/v1/tags').set(bearer(forged)));
  });

  it('refuses an unsigned alg:none token', async () => {
    const token = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims())}.`;
    expectUnauthorized(await api().get('/v1/tags').set(bearer(token)));
  });

  it.each(['sub', 'tenantId', 'role'])('refuses a token without %s', async (claim) => {
    const { [claim]: _dropped, ...rest } = claims();
    const body = expectUnauthorized(
      await api()
        .get('/v1/tags')
        .set(bearer(signToken(rest, {}))),
    );
    expect(body.detail).toContain(claim);
  });

  it.each(['sub', 'tenantId', 'role'])('refuses a token whose %s is empty', async (claim) => {
    const token = signToken(claims({ [claim]: '' }), {});
    expectUnauthorized(await api().get('/v1/tags').set(bearer(token)));
  });

  it('refuses a token without exp', async () => {
    const { exp: _exp, ...rest } = claims();
    const token = signToken(rest, {});
    expect((decode(token) as Record<string, unknown>).exp).toBeUndefined();
    const body = expectUnauthorized(await api().get('/v1/tags').set(bearer(token)));
    expect(body.detail).toMatch(/exp/);
  });

  it('refuses RS256 and ES256 tokens when HS256 is configured', async () => {
    for (const [algorithm, keys] of [
      ['RS256', rsaKeys()],
      ['ES256', ecKeys()],
    ] as const) {
      const token = sign(claims(), keys.privateKey, { algorithm });
      expectUnauthorized(await api().get('/v1/tags').set(bearer(token)));
    }
  });

  it('refuses HS512 signed with the configured secret (outside the configured algorithm)', async () => {
    const token = signToken(claims(), { algorithm: 'HS512' });
    expectUnauthorized(await api().get('/v1/tags').set(bearer(token)));
  });

  it('accepts a well-formed token (control)', async () => {
    const response = await api()
      .get('/v1/tags')
      .set(bearer(signToken(claims(), {})));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ tags: [] });
  });
});

describe('authorization (403)', () => {
  it.each(
    OPERATIONS.map((operation) => [operation.method.toUpperCase(), operation.path, operation]),
  )('%s %s needs its scope', async (_method, _path, operation) => {
    const tenantId = newTenantId();
    const withoutScope = ALL_SCOPES.filter((scope) => scope !== operation.scope);
    const body = expectProblem(
      await call(operation, as(tenantId, { scopes: withoutScope })),
      403,
      'INSUFFICIENT_SCOPE',
    );
    expect(body.detail).toContain(operation.scope);

    // That one scope alone is enough to get past authorization.
    const allowed = await call(operation, as(tenantId, { scopes: [operation.scope] }));
    expect([401, 403]).not.toContain(allowed.status);
  });

  it('refuses a token with no scope at all', async () => {
    const token = signToken(claims({ scope: undefined }), {});
    expectProblem(await api().get('/v1/tags').set(bearer(token)), 403, 'INSUFFICIENT_SCOPE');
  });

  it.each(['guest', 'superuser', 'Admin'])('refuses the unknown role %s', async (role) => {
    const response = await api().get('/v1/tags').set(as(newTenantId(), { role }));
    const body = expectProblem(response, 403, 'ROLE_NOT_ALLOWED');
    expect(body.detail).toContain(role);
    expect(response.headers['www-authenticate']).toBeUndefined();
  });

  it.each(['owner', 'admin', 'agent'])('allows the role %s', async (role) => {
    await api().get('/v1/tags').set(as(newTenantId(), { role })).expect(200);
  });

  it('reads scopes from a space-separated scope string', async () => {
    const tenantId = newTenantId();
    const token = signToken(claims({ tenantId, scope: 'tag:list tag:create' }), {});
    await api().get('/v1/tags').set(bearer(token)).expect(200);
    await api().post('/v1/tags').set(bearer(token)).send({ name: 'From string' }).expect(201);
    expectProblem(
      await api().get('/v1/contacts/custom-fields').set(bearer(token)),
      403,
      'INSUFFICIENT_SCOPE',
    );
  });

  it('reads scopes from a scopes array', async () => {
    const tenantId = newTenantId();
    const token = signToken(claims({ tenantId, scope: undefined, scopes: ['tag:list'] }), {});
    await api().get('/v1/tags').set(bearer(token)).expect(200);
    expectProblem(
      await api().post('/v1/tags').set(bearer(token)).send({ name: 'No' }),
      403,
      'INSUFFICIENT_SCOPE',
    );
    const creator = signToken(claims({ tenantId, scope: undefined, scopes: ['tag:create'] }), {});
    await api().post('/v1/tags').set(bearer(creator)).send({ name: 'From array' }).expect(201);
  });

  it('does not treat a scope prefix or a scope list in one array item as granted', async () => {
    const token = signToken(claims({ scope: 'tag', scopes: ['tag:list tag:create'] }), {});
    expectProblem(await api().get('/v1/tags').set(bearer(token)), 403, 'INSUFFICIENT_SCOPE');
  });
});

describe.each([
  { algorithm: 'RS256' as const, keys: rsaKeys, other: ecKeys },
  { algorithm: 'ES256' as const, keys: ecKeys, other: rsaKeys },
])('a server configured with JWT_PUBLIC_KEY ($algorithm)', ({ algorithm, keys, other }) => {
  const { publicKey, privateKey } = keys();
  let server: RunningServer;

  beforeAll(async () => {
    const { JWT_SECRET: _secret, ...env } = isolatedServerEnv();
    server = await startServer({
      ...env,
      JWT_PUBLIC_KEY: publicKey,
      JWT_ALGORITHM: algorithm,
    });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it(`accepts ${algorithm} tokens signed with the private key`, async () => {
    const tenantId = newTenantId();
    const token = sign(claims({ tenantId, sub: 'usr_pem' }), privateKey, { algorithm });
    await api(server.url).get('/v1/tags').set(bearer(token)).expect(200, { tags: [] });
    const created = await api(server.url)
      .post('/v1/tags')
      .set(bearer(token))
      .send({ name: 'Signed with a key pair' })
      .expect(201);
    expect(created.body.createdBy).toBe('usr_pem');
  });

  it('rejects HS256 tokens, whatever the secret', async () => {
    expectUnauthorized(
      await api(server.url)
        .get('/v1/tags')
        .set(bearer(signToken(claims(), {}))),
    );
    // The classic algorithm confusion: the public key used as an HMAC secret.
    expectUnauthorized(
      await api(server.url)
        .get('/v1/tags')
        .set(bearer(hmacToken(claims(), publicKey))),
    );
  });

  it('rejects tokens signed with another key pair or with none', async () => {
    const foreign = keys().privateKey;
    expectUnauthorized(
      await api(server.url)
        .get('/v1/tags')
        .set(bearer(sign(claims(), foreign, { algorithm }))),
    );
    const otherFamily = algorithm === 'RS256' ? 'ES256' : 'RS256';
    expectUnauthorized(
      await api(server.url)
        .get('/v1/tags')
        .set(bearer(sign(claims(), other().privateKey, { algorithm: otherFamily }))),
    );
    const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims())}.`;
    expectUnauthorized(await api(server.url).get('/v1/tags').set(bearer(unsigned)));
  });

  it('still requires the claims and the scope', async () => {
    const { tenantId: _tenant, ...noTenant } = claims();
    expectUnauthorized(
      await api(server.url)
        .get('/v1/tags')
        .set(bearer(sign(noTenant, privateKey, { algorithm }))),
    );
    const noScope = sign(claims({ scope: 'tag:create' }), privateKey, { algorithm });
    expectProblem(
      await api(server.url).get('/v1/tags').set(bearer(noScope)),
      403,
      'INSUFFICIENT_SCOPE',
    );
  });
});

describe('a server configured with JWT_ISSUER and JWT_AUDIENCE', () => {
  const issuer = 'https://id.e2e.example/';
  const audience = 'contacts-api';
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({
      ...isolatedServerEnv(),
      JWT_ISSUER: issuer,
      JWT_AUDIENCE: audience,
    });
  });

  afterAll(async () => {
    await server?.stop();
  });

  const get = (payload: TokenClaims) =>
    api(server.url)
      .get('/v1/tags')
      .set(bearer(signToken(payload, {})));

  it('accepts a token with the right issuer and audience', async () => {
    await get(claims({ iss: issuer, aud: audience })).expect(200, { tags: [] });
    // aud may also be an array that contains the audience.
    await get(claims({ iss: issuer, aud: ['other-api', audience] })).expect(200);
  });

  it.each([
    ['a wrong issuer', { iss: 'https://evil.example/', aud: audience }],
    ['no issuer', { aud: audience }],
    ['a wrong audience', { iss: issuer, aud: 'other-api' }],
    ['no audience', { iss: issuer }],
  ])('rejects a token with %s', async (_case, extra) => {
    expectUnauthorized(await get(claims(extra)));
  });
});

describe('the token command', () => {
  it('prints a token with the requested claims that the server accepts', async () => {
    const tenantId = newTenantId();
    const { code, output } = await runToExit(
      'dist/src/auth/token-cli.js',
      { JWT_SECRET: TEST_JWT_SECRET },
      ['--role', 'agent', '--tenant', tenantId, '--scopes', 'tag:list'],
    );
    expect(code).toBe(0);
    const token = output.trim().split('\n').pop() ?? '';
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

    const payload = decode(token, { complete: true });
    expect(payload?.header.alg).toBe('HS256');
    expect(payload?.payload).toMatchObject({
      tenantId,
      role: 'agent',
      scope: 'tag:list',
      sub: expect.stringMatching(/^usr_/),
      exp: expect.any(Number),
    });

    await api().get('/v1/tags').set(bearer(token)).expect(200, { tags: [] });
    expectProblem(
      await api().post('/v1/tags').set(bearer(token)).send({ name: 'Not allowed' }),
      403,
      'INSUFFICIENT_SCOPE',
    );
  });

  it('issues every scope by default', async () => {
    const { code, output } = await runToExit('dist/src/auth/token-cli.js', {
      JWT_SECRET: TEST_JWT_SECRET,
    });
    expect(code).toBe(0);
    const payload = decode(output.trim().split('\n').pop() ?? '') as Record<string, unknown>;
    expect(String(payload.scope).split(' ').sort()).toEqual([...ALL_SCOPES].sort());
    expect(payload.role).toBe('admin');
  });
});
