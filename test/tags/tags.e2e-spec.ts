import { ulid } from 'ulid';
import { api, as, expectProblem, newTenantId } from '../support/api';
import { errorFields, ISO_MS, TAG_ID } from '../support/shapes';

const TAG_KEYS = ['createdAt', 'createdBy', 'id', 'labeledCount', 'name'];

interface Tag {
  id: string;
  name: string;
  createdAt: string;
  createdBy: string;
  labeledCount: number;
}

async function createTag(tenantId: string, name: string, sub?: string) {
  const response = await api().post('/v1/tags').set(as(tenantId, { sub })).send({ name });
  if (response.status !== 201) {
    throw new Error(`creating tag "${name}": ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response.body as Tag;
}

async function listTags(tenantId: string): Promise<Tag[]> {
  const response = await api().get('/v1/tags').set(as(tenantId)).expect(200);
  expect(Object.keys(response.body)).toEqual(['tags']);
  return response.body.tags as Tag[];
}

describe('GET /v1/tags', () => {
  it('is empty for a brand-new tenant', async () => {
    const response = await api().get('/v1/tags').set(as(newTenantId())).expect(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body).toEqual({ tags: [] });
  });

  it('orders tags by name case-insensitively', async () => {
    const tenantId = newTenantId();
    for (const name of [
      'banana',
      'Zebra',
      'Apple',
      'cherry',
      'alpha',
      'apple pie',
      'Banana split',
    ]) {
      await createTag(tenantId, name);
    }
    const names = (await listTags(tenantId)).map((tag) => tag.name);
    expect(names).toEqual([
      'alpha',
      'Apple',
      'apple pie',
      'banana',
      'Banana split',
      'cherry',
      'Zebra',
    ]);
  });

  it('lists each tag exactly as it was created, labeledCount 0', async () => {
    const tenantId = newTenantId();
    const vip = await createTag(tenantId, 'VIP', 'usr_lister');
    const lead = await createTag(tenantId, 'Lead', 'usr_other');
    expect(await listTags(tenantId)).toEqual([lead, vip]);
  });
});

describe('POST /v1/tags', () => {
  it('creates a tag with the documented shape', async () => {
    const tenantId = newTenantId();
    const before = Date.now();
    const response = await api()
      .post('/v1/tags')
      .set(as(tenantId, { sub: 'usr_01HV8Y3K2R6G7K3F5B9N8M1Q0' }))
      .send({ name: 'VIP' })
      .expect(201);
    const after = Date.now();

    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const tag = response.body;
    expect(Object.keys(tag).sort()).toEqual(TAG_KEYS);
    expect(tag.id).toMatch(TAG_ID);
    expect(tag.name).toBe('VIP');
    expect(tag.createdAt).toMatch(ISO_MS);
    const createdAt = Date.parse(tag.createdAt);
    expect(createdAt).toBeGreaterThanOrEqual(before - 1000);
    expect(createdAt).toBeLessThanOrEqual(after + 1000);
    expect(tag.createdBy).toBe('usr_01HV8Y3K2R6G7K3F5B9N8M1Q0');
    expect(tag.labeledCount).toBe(0);
  });

  it('gives every tag its own id', async () => {
    const tenantId = newTenantId();
    const ids = [];
    for (const name of ['One', 'Two', 'Three']) ids.push((await createTag(tenantId, name)).id);
    expect(new Set(ids).size).toBe(3);
  });

  it('trims the name', async () => {
    const tenantId = newTenantId();
    const tag = await createTag(tenantId, '  Order ready \t');
    expect(tag.name).toBe('Order ready');
    expect((await listTags(tenantId)).map((t) => t.name)).toEqual(['Order ready']);
  });

  it('accepts a 64-character name, also with spaces around it', async () => {
    const tenantId = newTenantId();
    const name = 'n'.repeat(64);
    expect((await createTag(tenantId, `  ${name}  `)).name).toBe(name);
    const accented = 'ł'.repeat(63) + 'é';
    expect((await createTag(tenantId, accented)).name).toBe(accented);
    const emoji = '😀'.repeat(64);
    expect((await createTag(tenantId, emoji)).name).toBe(emoji);
    const dotted = 'İ'.repeat(64);
    expect((await createTag(tenantId, dotted)).name).toBe(dotted);
  });

  it('never answers 5xx for a name at the length limit', async () => {
    // 64 hearts with variation selectors: 64 symbols, 128 code points.
    const response = await api()
      .post('/v1/tags')
      .set(as(newTenantId()))
      .send({ name: '❤️'.repeat(64) });
    expect([201, 422]).toContain(response.status);
  });

  it.each([
    ['exactly the same', 'VIP'],
    ['in another case', 'vip'],
    ['with spaces around it', '  VIP  '],
    ['in mixed case with spaces', ' vIp'],
  ])('409 TAG_NAME_TAKEN for a name already used, %s', async (_case, duplicate) => {
    const tenantId = newTenantId();
    await createTag(tenantId, 'VIP');
    const response = await api().post('/v1/tags').set(as(tenantId)).send({ name: duplicate });
    const body = expectProblem(response, 409, 'TAG_NAME_TAKEN');
    expect(body.instance).toBe('/v1/tags');
    expect((await listTags(tenantId)).map((tag) => tag.name)).toEqual(['VIP']);
  });

  it('409 for a duplicate with accented letters in another case', async () => {
    const tenantId = newTenantId();
    await createTag(tenantId, 'Región');
    expectProblem(
      await api().post('/v1/tags').set(as(tenantId)).send({ name: 'REGIÓN' }),
      409,
      'TAG_NAME_TAKEN',
    );
  });

  it('creates only one tag when the same name is sent concurrently', async () => {
    const tenantId = newTenantId();
    const responses = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        api()
          .post('/v1/tags')
          .set(as(tenantId))
          .send({ name: i % 2 ? 'Race' : 'race' }),
      ),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
    for (const response of responses.filter((r) => r.status === 409)) {
      expectProblem(response, 409, 'TAG_NAME_TAKEN');
    }
    expect(await listTags(tenantId)).toHaveLength(1);
  });

  it.each([
    ['a missing name', {}, 'name'],
    ['an empty name', { name: '' }, 'name'],
    ['a whitespace-only name', { name: ' \t  ' }, 'name'],
    ['a 65-character name', { name: 'x'.repeat(65) }, 'name'],
    ['a 65-character name once trimmed', { name: ` ${'x'.repeat(65)} ` }, 'name'],
    ['a number as name', { name: 12 }, 'name'],
    ['null as name', { name: null }, 'name'],
    ['an array as name', { name: ['VIP'] }, 'name'],
    ['an object as name', { name: { text: 'VIP' } }, 'name'],
    ['an unknown attribute', { name: 'VIP', color: 'red' }, 'color'],
  ])('422 VALIDATION_FAILED for %s', async (_case, body, field) => {
    const tenantId = newTenantId();
    const response = await api().post('/v1/tags').set(as(tenantId)).send(body);
    const problem = expectProblem(response, 422, 'VALIDATION_FAILED');
    expect(errorFields(problem)).toEqual([field]);
    expect(await listTags(tenantId)).toEqual([]);
  });
});

describe('DELETE /v1/tags/{id}', () => {
  it('deletes the tag: 204, gone from the list, then 404', async () => {
    const tenantId = newTenantId();
    const keep = await createTag(tenantId, 'Keep');
    const drop = await createTag(tenantId, 'Drop');

    const response = await api().delete(`/v1/tags/${drop.id}`).set(as(tenantId)).expect(204);
    expect(response.text).toBe('');
    expect(await listTags(tenantId)).toEqual([keep]);

    const again = await api().delete(`/v1/tags/${drop.id}`).set(as(tenantId));
    const body = expectProblem(again, 404, 'TAG_NOT_FOUND');
    expect(body.instance).toBe(`/v1/tags/${drop.id}`);
  });

  it('frees the name: a new tag with it gets a new id', async () => {
    const tenantId = newTenantId();
    const first = await createTag(tenantId, 'Reused');
    await api().delete(`/v1/tags/${first.id}`).set(as(tenantId)).expect(204);
    const second = await createTag(tenantId, 'reused');
    expect(second.id).not.toBe(first.id);
    expect(await listTags(tenantId)).toEqual([second]);
  });

  it.each([
    ['an unknown tag id', `tag_${ulid()}`],
    ['a malformed id', 'nope'],
    ['a custom-field id', 'cf_email'],
  ])('404 TAG_NOT_FOUND for %s', async (_case, id) => {
    const response = await api().delete(`/v1/tags/${id}`).set(as(newTenantId()));
    expectProblem(response, 404, 'TAG_NOT_FOUND');
  });
});

describe('tenant isolation', () => {
  it("hides another tenant's tags and answers 404 when deleting them", async () => {
    const owner = newTenantId();
    const stranger = newTenantId();
    const tag = await createTag(owner, 'Secret');

    expect(await listTags(stranger)).toEqual([]);
    expectProblem(await api().delete(`/v1/tags/${tag.id}`).set(as(stranger)), 404, 'TAG_NOT_FOUND');
    expect(await listTags(owner)).toEqual([tag]);
  });

  it('keeps names unique per tenant only', async () => {
    const first = await createTag(newTenantId(), 'Shared name');
    const second = await createTag(newTenantId(), 'Shared name');
    expect(second.id).not.toBe(first.id);
  });
});
