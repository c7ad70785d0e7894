import request from 'supertest';
import { ALL_SCOPES, api, bearer, expectProblem, signToken } from '../support/api';
import { TestTenant } from '../support/contacts';

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

interface Call {
  method: Method;
  path: string;
  body?: Record<string, unknown>;
  /** The contact the call acts on, to check a refused call left it alone. */
  contactId?: string;
}

interface Operation {
  name: string;
  scope: string;
  success: number;
  prepare: (tenant: TestTenant) => Promise<Call>;
}

function send(call: Call, headers: Record<string, string>): request.Test {
  const test = api()[call.method](call.path).set(headers);
  return call.body ? test.send(call.body) : test;
}

const existing = async (tenant: TestTenant, body: Record<string, unknown> = { name: 'Target' }) =>
  (await tenant.createContact(body)).id;

const OPERATIONS: Operation[] = [
  {
    name: 'GET /v1/contacts',
    scope: 'contact:list',
    success: 200,
    prepare: async () => ({ method: 'get', path: '/v1/contacts' }),
  },
  {
    name: 'GET /v1/contacts/count',
    scope: 'contact:list',
    success: 200,
    prepare: async () => ({ method: 'get', path: '/v1/contacts/count' }),
  },
  {
    name: 'POST /v1/contacts',
    scope: 'contact:create',
    success: 201,
    prepare: async () => ({ method: 'post', path: '/v1/contacts', body: { name: 'New' } }),
  },
  {
    name: 'GET /v1/contacts/{id}',
    scope: 'contact:read',
    success: 200,
    prepare: async (t) => {
      const id = await existing(t);
      return { method: 'get', path: `/v1/contacts/${id}`, contactId: id };
    },
  },
  {
    name: 'PATCH /v1/contacts/{id}',
    scope: 'contact:update',
    success: 200,
    prepare: async (t) => {
      const id = await existing(t);
      return {
        method: 'patch',
        path: `/v1/contacts/${id}`,
        body: { name: 'Renamed' },
        contactId: id,
      };
    },
  },
  {
    name: 'DELETE /v1/contacts/{id}',
    scope: 'contact:delete',
    success: 204,
    prepare: async (t) => {
      const id = await existing(t);
      return { method: 'delete', path: `/v1/contacts/${id}`, contactId: id };
    },
  },
  {
    name: 'POST /v1/contacts/{id}/archive',
    scope: 'contact:update',
    success: 204,
    prepare: async (t) => {
      const id = await existing(t);
      return { method: 'post', path: `/v1/contacts/${id}/archive`, contactId: id };
    },
  },
  {
    name: 'POST /v1/contacts/{id}/unarchive',
    scope: 'contact:update',
    success: 204,
    prepare: async (t) => {
      const id = await existing(t);
      await t.archive(id);
      return { method: 'post', path: `/v1/contacts/${id}/unarchive`, contactId: id };
    },
  },
  {
    name: 'PUT /v1/contacts/{contactId}/custom-fields/{customFieldId}',
    scope: 'contact:update',
    success: 204,
    prepare: async (t) => {
      const id = await existing(t);
      return {
        method: 'put',
        path: `/v1/contacts/${id}/custom-fields/cf_email`,
        body: { value: 'scoped@example.com' },
        contactId: id,
      };
    },
  },
  {
    name: 'POST /v1/contacts/{contactId}/tags/{tagId}',
    scope: 'contact:update',
    success: 204,
    prepare: async (t) => {
      const id = await existing(t);
      const tag = await t.createTag(`Tag ${id}`);
      return { method: 'post', path: `/v1/contacts/${id}/tags/${tag.id}`, contactId: id };
    },
  },
  {
    name: 'DELETE /v1/contacts/{contactId}/tags/{tagId}',
    scope: 'contact:update',
    success: 204,
    prepare: async (t) => {
      const id = await existing(t);
      const tag = await t.createTag(`Tag ${id}`);
      await t.tag(id, tag.id);
      return { method: 'delete', path: `/v1/contacts/${id}/tags/${tag.id}`, contactId: id };
    },
  },
];

describe.each(OPERATIONS)('access to $name', ({ scope, success, prepare }) => {
  const tenant = new TestTenant();

  /** Refused calls must leave the contact as it was. */
  async function expectUntouched(call: Call, before: unknown) {
    if (call.contactId) expect(await tenant.getContact(call.contactId)).toEqual(before);
  }

  async function prepared() {
    const call = await prepare(tenant);
    const before = call.contactId ? await tenant.getContact(call.contactId) : undefined;
    return { call, before };
  }

  it('answers 401 with WWW-Authenticate: Bearer without a valid token', async () => {
    const { call, before } = await prepared();
    const expired = signToken(
      { sub: 'usr_e2e', tenantId: tenant.id, role: 'admin', scope: scope },
      { expiresIn: -10 },
    );
    const noTenant = signToken({ sub: 'usr_e2e', role: 'admin', scope });
    for (const headers of [
      {},
      { Authorization: 'Bearer not-a-jwt' },
      bearer(expired),
      bearer(noTenant),
      bearer(
        signToken(
          { sub: 'usr_e2e', tenantId: tenant.id, role: 'admin', scope },
          {},
          'x'.repeat(40),
        ),
      ),
    ]) {
      const response = await send(call, headers);
      expectProblem(response, 401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
    }
    await expectUntouched(call, before);
  });

  it(`answers 403 to a token lacking ${scope}`, async () => {
    const { call, before } = await prepared();
    const scopes = ALL_SCOPES.filter((s) => s !== scope);
    expectProblem(await send(call, tenant.headers({ scopes })), 403, 'INSUFFICIENT_SCOPE');
    // Scopes of other resources with similar names do not help either.
    expectProblem(
      await send(call, tenant.headers({ scopes: [scope.replace('contact:', 'tag:'), 'contact'] })),
      403,
      'INSUFFICIENT_SCOPE',
    );
    await expectUntouched(call, before);
  });

  it('answers 403 to a role that is not allowed', async () => {
    const { call, before } = await prepared();
    expectProblem(await send(call, tenant.headers({ role: 'guest' })), 403, 'ROLE_NOT_ALLOWED');
    await expectUntouched(call, before);
  });

  it.each(['owner', 'admin', 'agent'])(
    `succeeds for role %s with ${scope} as its only scope`,
    async (role) => {
      const { call } = await prepared();
      const response = await send(call, tenant.headers({ role, scopes: [scope] }));
      expect(response.status).toBe(success);
    },
  );

  it('accepts the scope given as a `scopes` array', async () => {
    const { call } = await prepared();
    const token = signToken({
      sub: 'usr_e2e',
      tenantId: tenant.id,
      role: 'agent',
      scopes: [scope],
    });
    expect((await send(call, bearer(token))).status).toBe(success);
  });
});
