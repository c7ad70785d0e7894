import type { Response } from 'supertest';
import { api, as, bearer, expectProblem, newTenantId, signToken } from '../support/api';
import { isolatedServerEnv } from '../support/backend';
import { createField, importCsv, postCsv } from '../support/imports';
import { RunningServer, startServer } from '../support/server';
import { errorFields, INTERNALS } from '../support/shapes';

function expectClean(response: Response): void {
  expect(response.status).toBeLessThan(500);
  expect(response.text).not.toMatch(INTERNALS);
}

function postJson(path: string, body: string, headers = as(newTenantId())) {
  return api().post(path).set(headers).set('Content-Type', 'application/json').send(body);
}

describe('JWT claims out of shape (401)', () => {
  const claims = (overrides: Record<string, unknown>) =>
    signToken({ sub: 'usr_1', tenantId: 'tn_ok', role: 'admin', scope: 'tag:list', ...overrides });

  it.each([
    ['a 10,000-character tenantId', { tenantId: 'x'.repeat(10_000) }],
    ['a 65-character tenantId', { tenantId: 'x'.repeat(65) }],
    ['a tenantId with a space', { tenantId: 'tn 1' }],
    ['a tenantId with a dot', { tenantId: 'tn.1' }],
    ['a tenantId with a non-ASCII letter', { tenantId: 'tn_é' }],
    ['a tenantId with NUL', { tenantId: 'tn\u0000' }],
    ['a numeric tenantId', { tenantId: 12 }],
    ['a 129-character sub', { sub: 'u'.repeat(129) }],
    ['a sub with a control character', { sub: 'usr\n1' }],
    ['a sub with a lone surrogate', { sub: 'usr\ud800' }],
  ])('refuses %s', async (_name, overrides) => {
    const response = await api()
      .get('/v1/tags')
      .set(bearer(claims(overrides)));
    const body = expectProblem(response, 401, 'UNAUTHORIZED');
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(body.detail).toMatch(/tenantId|sub/);
  });

  it('accepts the longest well-formed claims (control)', async () => {
    const token = claims({ tenantId: `A-z_0${'9'.repeat(59)}`, sub: `~ !${'u'.repeat(125)}` });
    await api().get('/v1/tags').set(bearer(token)).expect(200);
  });

  it('a 10,000-character tenantId cannot upload an import (was a 500)', async () => {
    const token = claims({ tenantId: 'x'.repeat(10_000), scope: 'contact:create' });
    const response = await postCsv(bearer(token), 'name\nAnna\n');
    expectProblem(response, 401, 'UNAUTHORIZED');
  });
});

describe('NUL and lone surrogates', () => {
  it.each([
    [
      'a property-field name of lone surrogates (was a 500)',
      '/v1/properties/custom-fields',
      { name: '\udfff\ud800', type: 'text' },
      'name',
    ],
    [
      'a contact-field name with NUL',
      '/v1/contacts/custom-fields',
      { name: 'a\u0000b', type: 'text' },
      'name',
    ],
    ['a tag name with a lone high surrogate', '/v1/tags', { name: 'vip\ud83d' }, 'name'],
    ['a contact name with NUL', '/v1/contacts', { name: 'Anna\u0000' }, 'name'],
    [
      'a customFields value with a lone low surrogate',
      '/v1/contacts',
      { customFields: { email: '\udc00@x.pl' } },
      'customFields.email',
    ],
    [
      'a customFields key with NUL',
      '/v1/contacts',
      { customFields: { 'a\u0000': 'x' } },
      'customFields.a\\u0000',
    ],
  ])('422 for %s, naming the field', async (_name, path, body, field) => {
    const response = await api().post(path).set(as(newTenantId())).send(body);
    const problem = expectProblem(response, 422, 'VALIDATION_FAILED');
    expect(errorFields(problem)).toContain(field);
    expectClean(response);
  });

  it('twice the same lone-surrogate name is refused, never a duplicate-key 500', async () => {
    const headers = as(newTenantId());
    for (const name of ['\udfff\ud800', '\udfff\ud800', '\ud800\udfff\udfff']) {
      const response = await api()
        .post('/v1/properties/custom-fields')
        .set(headers)
        .send({ name, type: 'text' });
      expectClean(response);
      if (name === '\ud800\udfff\udfff') expectProblem(response, 422, 'VALIDATION_FAILED');
    }
  });

  it('a paired surrogate (an emoji) is fine (control)', async () => {
    await api().post('/v1/tags').set(as(newTenantId())).send({ name: 'vip 😀' }).expect(201);
  });

  it('PUT of a field value with NUL: 422 naming value', async () => {
    const headers = as(newTenantId());
    const contact = await api().post('/v1/contacts').set(headers).send({ name: 'A' }).expect(201);
    const response = await api()
      .put(`/v1/contacts/${contact.body.id}/custom-fields/cf_email`)
      .set(headers)
      .send({ value: 'a\u0000@x.pl' });
    expect(errorFields(expectProblem(response, 422, 'VALIDATION_FAILED'))).toEqual(['value']);
  });

  it.each([
    ['search', '/v1/contacts?search=a%00b'],
    ['customFields.email', '/v1/contacts?customFields[email]=%00'],
    ['archived', '/v1/contacts/count?archived=%00'],
  ])('400 INVALID_PARAMETER for NUL in the query parameter %s', async (field, path) => {
    const response = await api().get(path).set(as(newTenantId()));
    const problem = expectProblem(response, 400);
    expect(problem.code).toMatch(/^INVALID_(QUERY_)?PARAMETER$/);
    expect(errorFields(problem)).toEqual([field]);
  });

  it.each([
    ['id', 'get', '/v1/contacts/con_%00'],
    ['id', 'delete', '/v1/tags/tag_%00'],
    ['customFieldId', 'put', '/v1/contacts/con_1/custom-fields/cf%00'],
  ] as const)(
    '400 INVALID_PARAMETER for NUL in the path parameter %s',
    async (field, method, path) => {
      const response = await api()[method](path).set(as(newTenantId())).send({ value: 'x' });
      expect(errorFields(expectProblem(response, 400, 'INVALID_PARAMETER'))).toEqual([field]);
    },
  );

  it('a CSV cell with NUL is a row error; the other rows import', async () => {
    const headers = as(newTenantId());
    // The first 8 KiB decide whether a file is binary; the NUL comes after them.
    const filler = Array.from(
      { length: 120 },
      (_, i) => `Filler contact number ${i} ${'x'.repeat(60)}`,
    );
    const csv = ['name', ...filler, 'Bad\u0000Name', 'Last'].join('\n') + '\n';
    const status = await importCsv(headers, csv);
    expect(status.createdCount).toBe(121);
    expect(status.failedCount).toBe(1);
    expect(status.errors).toEqual([
      { row: 122, column: 'name', message: 'must not contain NUL characters' },
    ]);
  });

  it('a file with NUL in its first bytes is still binary (400)', async () => {
    const response = await postCsv(as(newTenantId()), 'name\nA\u0000\n');
    expectProblem(response, 400, 'INVALID_CSV_FILE');
  });
});

describe('body shape limits (413 BODY_TOO_COMPLEX)', () => {
  it('a body nested 10,000 levels deep (was a 500)', async () => {
    for (const body of [
      '['.repeat(10_000) + ']'.repeat(10_000),
      '{"name":'.repeat(10_000) + '1' + '}'.repeat(10_000),
    ]) {
      const response = await postJson('/v1/contacts', body);
      expectProblem(response, 413, 'BODY_TOO_COMPLEX');
      expectClean(response);
    }
  });

  it('100,000 customFields keys in a 0.85 MB body (was 8.5 s)', async () => {
    const customFields: Record<string, string> = {};
    for (let i = 0; i < 100_000; i++) customFields[i.toString(36)] = '';
    const response = await postJson('/v1/contacts', JSON.stringify({ customFields }));
    expect(expectProblem(response, 413, 'BODY_TOO_COMPLEX').detail).toMatch(
      /customFields has more than 1000 keys/,
    );
  });

  it('a PATCH with 100,001 keys', async () => {
    const body: Record<string, number> = {};
    for (let i = 0; i <= 100_000; i++) body[i.toString(36)] = 1;
    const response = await api()
      .patch('/v1/contacts/con_01HV8Y5R5RFMS0TFK6PKF9H2S8')
      .set(as(newTenantId()))
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(body));
    expectProblem(response, 413, 'BODY_TOO_COMPLEX');
  });

  it('an array of 100,000 items', async () => {
    const response = await postJson('/v1/tags', JSON.stringify({ name: Array(100_000).fill(0) }));
    expectProblem(response, 413, 'BODY_TOO_COMPLEX');
  });

  it('a body within the limits still validates normally (control)', async () => {
    const customFields: Record<string, string> = {};
    for (let i = 0; i < 1000; i++) customFields[`k${i}`] = 'x';
    const response = await postJson('/v1/contacts', JSON.stringify({ customFields }));
    expect(errorFields(expectProblem(response, 422, 'VALIDATION_FAILED'))).toHaveLength(1000);
  });

  describe('configured limits', () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await startServer({
        ...isolatedServerEnv(),
        JSON_MAX_DEPTH: '3',
        JSON_MAX_KEYS: '2',
        JSON_MAX_ARRAY_LENGTH: '2',
      });
    });
    afterAll(() => server?.stop());

    it.each([
      ['depth', { customFields: { a: { b: {} } } }, /nests deeper than 3 levels/],
      ['keys', { name: 'a', phone: null, customFields: {} }, /has more than 2 keys/],
      ['array length', { name: [1, 2, 3] }, /has more than 2 items/],
    ])('JSON_MAX_* set the %s limit', async (_name, body, detail) => {
      const response = await api(server.url).post('/v1/contacts').set(as(newTenantId())).send(body);
      expect(expectProblem(response, 413, 'BODY_TOO_COMPLEX').detail).toMatch(detail);
    });

    it('a body within them passes', async () => {
      await api(server.url)
        .post('/v1/contacts')
        .set(as(newTenantId()))
        .send({ name: 'Anna' })
        .expect(201);
    });
  });
});

describe('one 422 names every offending field', () => {
  it('DTO and domain errors together: name too long and phone invalid', async () => {
    const response = await api()
      .post('/v1/contacts')
      .set(as(newTenantId()))
      .send({ name: 'x'.repeat(256), phone: 'bad' });
    const problem = expectProblem(response, 422, 'VALIDATION_FAILED');
    expect(errorFields(problem)).toEqual(['name', 'phone']);
    expect(problem.errors).toContainEqual({
      field: 'phone',
      message: 'must be a valid E.164 phone number',
    });
  });

  it('unknown attribute, bad email, unknown field, bad date and NUL at once', async () => {
    const headers = as(newTenantId());
    const renewal = await createField(headers, 'Renewal', 'date');
    const response = await api()
      .post('/v1/contacts')
      .set(headers)
      .send({
        nickname: 'x',
        name: 'ok\u0000',
        phone: '+48 600',
        customFields: { email: 'nope', [renewal.key]: '2026-02-30', missing: 'x' },
      });
    expect(errorFields(expectProblem(response, 422, 'VALIDATION_FAILED'))).toEqual([
      'customFields.email',
      'customFields.missing',
      `customFields.${renewal.key}`,
      'name',
      'nickname',
      'phone',
    ]);
  });

  it('a wrongly typed member is named once, by its type error', async () => {
    const response = await api()
      .post('/v1/contacts')
      .set(as(newTenantId()))
      .send({ name: 5, phone: 7, customFields: { email: 'bad' } });
    const problem = expectProblem(response, 422, 'VALIDATION_FAILED');
    expect(errorFields(problem)).toEqual(['customFields.email', 'name', 'phone']);
    expect((problem.errors as { field: string }[]).filter((e) => e.field === 'phone')).toHaveLength(
      1,
    );
  });

  it('domain errors alone still come in one 422 (control)', async () => {
    const response = await api()
      .post('/v1/contacts')
      .set(as(newTenantId()))
      .send({ phone: 'bad', customFields: { email: 'bad' } });
    expect(errorFields(expectProblem(response, 422, 'VALIDATION_FAILED'))).toEqual([
      'customFields.email',
      'phone',
    ]);
  });
});

describe('unique keys as 409, never 500', () => {
  it('racing creates of one custom-field name: one 201, the rest 409 CUSTOM_FIELD_NAME_TAKEN', async () => {
    const headers = as(newTenantId());
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        api().post('/v1/contacts/custom-fields').set(headers).send({ name: 'Race', type: 'text' }),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    for (const response of responses.filter((r) => r.status === 409)) {
      expectProblem(response, 409, 'CUSTOM_FIELD_NAME_TAKEN');
      expectClean(response);
    }
  });

  it('racing creates of one tag and one phone: 409s with their codes', async () => {
    const headers = as(newTenantId());
    const tags = await Promise.all(
      Array.from({ length: 6 }, () => api().post('/v1/tags').set(headers).send({ name: 'Same' })),
    );
    expect(tags.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of tags.filter((r) => r.status !== 201)) expectProblem(r, 409, 'TAG_NAME_TAKEN');
    const contacts = await Promise.all(
      Array.from({ length: 6 }, () =>
        api().post('/v1/contacts').set(headers).send({ phone: '+48600100200' }),
      ),
    );
    expect(contacts.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of contacts.filter((r) => r.status !== 201)) {
      expectProblem(r, 409, 'PHONE_ALREADY_EXISTS');
    }
  });
});
