import type { Response } from 'supertest';
import { api, as, expectProblem, newTenantId } from '../support/api';
import { errorFields, INTERNALS } from '../support/shapes';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

function expectNoInternals(response: Response): void {
  expect(response.text).not.toMatch(INTERNALS);
  expect(response.body).not.toHaveProperty('stack');
}

describe('problem details', () => {
  it('404 for an unknown route, with or without a token', async () => {
    const anonymous = await api().get('/v1/nope');
    const body = expectProblem(anonymous, 404, 'NOT_FOUND');
    expect(body).toMatchObject({ status: 404, instance: '/v1/nope', title: 'Not Found' });
    expect(body.type).toBe('/problems/not-found');
    expectNoInternals(anonymous);

    const authenticated = await api().get('/v1/nope?x=1').set(as(newTenantId()));
    expect(expectProblem(authenticated, 404, 'NOT_FOUND').instance).toBe('/v1/nope');
  });

  it('400 MALFORMED_JSON for a body that is not valid JSON', async () => {
    const response = await api()
      .post('/v1/tags')
      .set(as(newTenantId()))
      .set('Content-Type', 'application/json')
      .send('{"name":');
    const body = expectProblem(response, 400, 'MALFORMED_JSON');
    expect(body.instance).toBe('/v1/tags');
    expect(body.type).toBe('/problems/malformed-json');
    expectNoInternals(response);
  });

  it('400 MALFORMED_JSON before authentication, so a broken body is reported as such', async () => {
    const response = await api()
      .post('/v1/contacts/custom-fields')
      .set('Content-Type', 'application/json')
      .send('{"name": "x", }');
    expectProblem(response, 400, 'MALFORMED_JSON');
  });

  it('413 for a body over the JSON limit (1 MiB by default)', async () => {
    const response = await api()
      .post('/v1/tags')
      .set(as(newTenantId()))
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ name: 'x'.repeat(1_500_000) }));
    const body = expectProblem(response, 413, 'PAYLOAD_TOO_LARGE');
    expect(body.instance).toBe('/v1/tags');
    expectNoInternals(response);
  });

  it('accepts a body just under the JSON limit (then validates it)', async () => {
    const response = await api()
      .post('/v1/tags')
      .set(as(newTenantId()))
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ name: 'x'.repeat(1_000_000) }));
    expectProblem(response, 422, 'VALIDATION_FAILED');
  });

  it('415 for a text/plain body', async () => {
    const response = await api()
      .post('/v1/tags')
      .set(as(newTenantId()))
      .set('Content-Type', 'text/plain')
      .send('name=VIP');
    const body = expectProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(body.instance).toBe('/v1/tags');
  });

  it('415 for a form-encoded body', async () => {
    const response = await api()
      .post('/v1/contacts/custom-fields')
      .set(as(newTenantId()))
      .type('form')
      .send({ name: 'Region', type: 'text' });
    expectProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('422 with errors naming the invalid field', async () => {
    const response = await api().post('/v1/tags').set(as(newTenantId())).send({ name: 42 });
    const body = expectProblem(response, 422, 'VALIDATION_FAILED');
    expect(body.errors).toEqual(
      expect.arrayContaining([{ field: 'name', message: expect.any(String) }]),
    );
    for (const error of body.errors)
      expect(Object.keys(error).sort()).toEqual(['field', 'message']);
    expect(errorFields(body)).toEqual(['name']);
  });

  it('422 naming every offending field', async () => {
    const response = await api()
      .post('/v1/contacts/custom-fields')
      .set(as(newTenantId()))
      .send({ name: '', type: 'number' });
    const body = expectProblem(response, 422, 'VALIDATION_FAILED');
    expect(errorFields(body)).toEqual(['name', 'type']);
  });

  it('422 for an unknown attribute', async () => {
    const response = await api()
      .post('/v1/tags')
      .set(as(newTenantId()))
      .send({ name: 'VIP', color: 'red' });
    const body = expectProblem(response, 422, 'VALIDATION_FAILED');
    expect(body.errors).toEqual([{ field: 'color', message: expect.any(String) }]);
  });

  it('422 for a JSON body that is not an object', async () => {
    const response = await api()
      .post('/v1/tags')
      .set(as(newTenantId()))
      .set('Content-Type', 'application/json')
      .send('[{"name":"VIP"}]');
    expectProblem(response, 422, 'VALIDATION_FAILED');
  });

  it('422, not a parse error, for a body that is the JSON value null', async () => {
    const response = await api()
      .post('/v1/tags')
      .set(as(newTenantId()))
      .set('Content-Type', 'application/json')
      .send('null');
    expectProblem(response, 422, 'VALIDATION_FAILED');
  });
});

describe('request and trace ids', () => {
  it('sets X-Request-Id on every response, successes and failures', async () => {
    const tenantId = newTenantId();
    const created = await api().post('/v1/tags').set(as(tenantId)).send({ name: 'Ids' });
    const responses: Response[] = [
      await api().get('/health'),
      await api().get('/v1/tags').set(as(tenantId)),
      created,
      await api().delete(`/v1/tags/${created.body.id}`).set(as(tenantId)),
      await api().get('/v1/tags'),
      await api()
        .get('/v1/tags')
        .set(as(tenantId, { role: 'guest' })),
      await api().get('/v1/nope'),
      await api()
        .post('/v1/tags')
        .set(as(tenantId))
        .set('Content-Type', 'application/json')
        .send('{'),
      await api().post('/v1/tags').set(as(tenantId)).send({}),
      await api().post('/v1/tags').set(as(tenantId)).set('Content-Type', 'text/plain').send('x'),
    ];
    expect(responses.map((response) => response.status)).toEqual([
      200, 200, 201, 204, 401, 403, 404, 400, 422, 415,
    ]);
    const ids = responses.map((response) => response.headers['x-request-id']);
    for (const id of ids) expect(id).toMatch(/^\S{8,}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('uses the request id as traceId when there is no traceparent', async () => {
    const response = await api().get('/v1/nope');
    const body = expectProblem(response, 404);
    expect(body.traceId).toBe(response.headers['x-request-id']);
  });

  it('echoes an incoming X-Request-Id and uses it as traceId', async () => {
    const requestId = `gw-${newTenantId()}`;
    const response = await api().get('/v1/tags').set('X-Request-Id', requestId);
    expect(response.headers['x-request-id']).toBe(requestId);
    expect(expectProblem(response, 401).traceId).toBe(requestId);

    const ok = await api()
      .get('/v1/tags')
      .set(as(newTenantId()))
      .set('X-Request-Id', requestId)
      .expect(200);
    expect(ok.headers['x-request-id']).toBe(requestId);
  });

  it('takes traceId from a valid W3C traceparent', async () => {
    const requestId = `gw-${newTenantId()}`;
    const response = await api()
      .post('/v1/tags')
      .set(as(newTenantId()))
      .set('X-Request-Id', requestId)
      .set('traceparent', TRACEPARENT)
      .send({});
    const body = expectProblem(response, 422);
    expect(body.traceId).toBe(TRACE_ID);
    expect(response.headers['x-request-id']).toBe(requestId);
  });

  it.each([
    ['garbage', 'not-a-traceparent'],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['a short trace id', '00-4bf92f3577b34da6-00f067aa0ba902b7-01'],
  ])('ignores an invalid traceparent (%s)', async (_case, traceparent) => {
    const response = await api().get('/v1/nope').set('traceparent', traceparent);
    expect(expectProblem(response, 404).traceId).toBe(response.headers['x-request-id']);
  });
});

describe('no internals in error bodies', () => {
  it('leaks no stack trace or SQL for odd input', async () => {
    const tenantId = newTenantId();
    const longId = 'x'.repeat(2000);
    const responses: Response[] = [
      await api().delete(`/v1/tags/${longId}`).set(as(tenantId)),
      await api().delete("/v1/tags/tag_'%20OR%201=1--").set(as(tenantId)),
      await api().patch(`/v1/contacts/custom-fields/${longId}`).set(as(tenantId)).send({
        name: 'x',
      }),
      await api().delete('/v1/properties/custom-fields/%FF').set(as(tenantId)),
      await api()
        .post('/v1/tags')
        .set(as(tenantId))
        .send({ name: { $gt: '' } }),
      await api()
        .post('/v1/tags')
        .set(as(tenantId))
        .set('Content-Type', 'application/json')
        .send('{"name": "\\u00"}'),
    ];
    for (const response of responses) {
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expectProblem(response, response.status);
      expectNoInternals(response);
    }
  });
});
