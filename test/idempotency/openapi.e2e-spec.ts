import { api } from '../support/api';

type Operation = {
  parameters?: { name: string; in: string }[];
  responses: Record<string, { headers?: Record<string, unknown>; description?: string }>;
};

describe('OpenAPI: Idempotency-Key and conditional requests', () => {
  let paths: Record<string, Record<string, Operation>>;

  beforeAll(async () => {
    const response = await api().get('/docs-json');
    expect(response.status).toBe(200);
    paths = response.body.paths;
  });

  const header = (operation: Operation, name: string) =>
    operation.parameters?.some((p) => p.in === 'header' && p.name === name) ?? false;

  it('every POST operation documents Idempotency-Key, 409, 422 and Idempotent-Replayed', () => {
    const posts = Object.entries(paths).filter(([, item]) => item.post);
    expect(posts.map(([path]) => path).sort()).toEqual(
      expect.arrayContaining([
        '/v1/contacts',
        '/v1/contacts/import',
        '/v1/contacts/{id}/archive',
        '/v1/contacts/{id}/unarchive',
        '/v1/contacts/{contactId}/tags/{tagId}',
        '/v1/tags',
        '/v1/contacts/custom-fields',
        '/v1/properties/custom-fields',
      ]),
    );
    for (const [path, item] of posts) {
      const operation = item.post;
      expect({ path, key: header(operation, 'Idempotency-Key') }).toEqual({ path, key: true });
      expect(operation.responses['409'].description).toContain('IDEMPOTENCY_KEY_IN_USE');
      expect(operation.responses['422'].description).toContain('IDEMPOTENCY_KEY_REUSED');
      const success = Object.entries(operation.responses).filter(([s]) => /^2/.test(s));
      expect(success.length).toBe(1);
      expect(success[0][1].headers).toHaveProperty('Idempotent-Replayed');
    }
    for (const item of Object.values(paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (method !== 'post') expect(header(operation, 'Idempotency-Key')).toBe(false);
      }
    }
  });

  it('the guarded contact writes document If-Match, 412 and the ETag', () => {
    const guarded: [string, string][] = [
      ['patch', '/v1/contacts/{id}'],
      ['delete', '/v1/contacts/{id}'],
      ['post', '/v1/contacts/{id}/archive'],
      ['post', '/v1/contacts/{id}/unarchive'],
      ['put', '/v1/contacts/{contactId}/custom-fields/{customFieldId}'],
      ['post', '/v1/contacts/{contactId}/tags/{tagId}'],
      ['delete', '/v1/contacts/{contactId}/tags/{tagId}'],
    ];
    for (const [method, path] of guarded) {
      const operation = paths[path][method];
      expect({ method, path, ifMatch: header(operation, 'If-Match') }).toEqual({
        method,
        path,
        ifMatch: true,
      });
      expect(operation.responses['412']).toBeDefined();
      if (method !== 'delete' || path.includes('tags')) {
        const success = Object.entries(operation.responses).find(([s]) => /^2/.test(s))!;
        expect(success[1].headers).toHaveProperty('ETag');
      }
    }
    expect(paths['/v1/contacts'].post.responses['201'].headers).toHaveProperty('ETag');
  });

  it('GET /v1/contacts/{id} documents If-None-Match and the 304', () => {
    const operation = paths['/v1/contacts/{id}'].get;
    expect(header(operation, 'If-None-Match')).toBe(true);
    expect(operation.responses['304'].headers).toHaveProperty('ETag');
    expect(operation.responses['200'].headers).toHaveProperty('ETag');
  });
});
