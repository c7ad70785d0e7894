import { api } from '../support/api';

type Row = [
  method: 'get' | 'post' | 'patch' | 'delete',
  path: string,
  scope: string,
  success: 200 | 201 | 204,
  /** Error statuses the operation can answer besides 401 and 403. */
  errors: number[],
];

/** The 11 tag and field-definition operations, as the reference lists them. */
// prettier-ignore
const TABLE: Row[] = [
  ['get', '/v1/tags', 'tag:list', 200, []],
  ['post', '/v1/tags', 'tag:create', 201, [409, 422]],
  ['delete', '/v1/tags/{id}', 'tag:delete', 204, [404]],
  ['get', '/v1/contacts/custom-fields', 'custom_field:list', 200, []],
  ['post', '/v1/contacts/custom-fields', 'custom_field:create', 201, [409, 422]],
  ['patch', '/v1/contacts/custom-fields/{id}', 'custom_field:update', 200, [404, 409, 422]],
  ['delete', '/v1/contacts/custom-fields/{id}', 'custom_field:delete', 204, [404, 409]],
  ['get', '/v1/properties/custom-fields', 'custom_field:list', 200, []],
  ['post', '/v1/properties/custom-fields', 'custom_field:create', 201, [409, 422]],
  ['patch', '/v1/properties/custom-fields/{id}', 'custom_field:update', 200, [404, 409, 422]],
  ['delete', '/v1/properties/custom-fields/{id}', 'custom_field:delete', 204, [404]],
];

/** The reference's title of each operation. */
const SUMMARIES: Record<string, string> = {
  'get /v1/tags': 'List tags',
  'post /v1/tags': 'Create tag',
  'delete /v1/tags/{id}': 'Delete tag',
  'get /v1/contacts/custom-fields': 'List contact field definitions',
  'post /v1/contacts/custom-fields': 'Create contact field definition',
  'patch /v1/contacts/custom-fields/{id}': 'Update contact field definition',
  'delete /v1/contacts/custom-fields/{id}': 'Delete contact field definition',
  'get /v1/properties/custom-fields': 'List property field definitions',
  'post /v1/properties/custom-fields': 'Create property field definition',
  'patch /v1/properties/custom-fields/{id}': 'Update property field definition',
  'delete /v1/properties/custom-fields/{id}': 'Delete property field definition',
};

const FIELD_SHAPE = ['id', 'name', 'type', 'createdAt', 'createdBy', 'predefined', 'entityType'];

/** Request-body examples as the reference shows them. */
const REQUEST_EXAMPLES: Record<string, Record<string, unknown>> = {
  'post /v1/tags': { name: 'VIP' },
  'post /v1/contacts/custom-fields': { name: 'Lifecycle stage', type: 'text' },
  'patch /v1/contacts/custom-fields/{id}': { name: 'Region', type: 'text' },
  'post /v1/properties/custom-fields': { name: 'Lifecycle stage', type: 'text' },
  'patch /v1/properties/custom-fields/{id}': { name: 'Region', type: 'text' },
};

/** All 24 reference operations and the status of their success response. */
// prettier-ignore
const OPERATIONS: [method: string, path: string, success: number][] = [
  ['get', '/v1/contacts', 200], ['post', '/v1/contacts', 201], ['get', '/v1/contacts/count', 200],
  ['get', '/v1/contacts/{id}', 200], ['patch', '/v1/contacts/{id}', 200],
  ['delete', '/v1/contacts/{id}', 204], ['post', '/v1/contacts/import', 202],
  ['get', '/v1/contacts/imports/{id}', 200], ['post', '/v1/contacts/{id}/archive', 204],
  ['post', '/v1/contacts/{id}/unarchive', 204],
  ['put', '/v1/contacts/{contactId}/custom-fields/{customFieldId}', 204],
  ['post', '/v1/contacts/{contactId}/tags/{tagId}', 204],
  ['delete', '/v1/contacts/{contactId}/tags/{tagId}', 204],
  ...TABLE.map(([method, path, , success]): [string, string, number] => [method, path, success]),
];

describe('OpenAPI', () => {
  let document: Record<string, any>;

  beforeAll(async () => {
    const response = await api().get('/docs-json').expect(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    document = response.body;
  });

  /** Follows a local `$ref` (`#/components/schemas/TagDto`). */
  function resolve(schema: Record<string, any>): Record<string, any> {
    if (!schema.$ref) return schema;
    const path = String(schema.$ref).replace(/^#\//, '').split('/');
    return path.reduce<Record<string, any>>(
      (node, key) => node[key] as Record<string, any>,
      document,
    );
  }

  it('serves Swagger UI at /docs without a token', async () => {
    const response = await api().get('/docs').redirects(1).expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.text).toMatch(/swagger-ui/i);
  });

  it('describes the Contacts API as OpenAPI 3 with the bearer scheme', () => {
    expect(document.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(document.info.title).toBe('Contacts API');
    expect(document.info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
  });

  it.each(TABLE)('documents %s %s (scope %s)', (method, path, scope, successStatus, errors) => {
    const documented = document.paths[path]?.[method];
    expect(documented).toBeDefined();
    expect(documented.summary).toBe(SUMMARIES[`${method} ${path}`]);
    expect(documented.security).toEqual([{ bearerAuth: [] }]);
    expect(documented['x-required-scopes']).toEqual([scope]);
    expect([...documented['x-allowed-roles']].sort()).toEqual(['admin', 'agent', 'owner']);

    if (path.endsWith('{id}')) {
      expect(documented.parameters).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: 'id', in: 'path', required: true }),
        ]),
      );
    }

    const responses = documented.responses as Record<string, any>;
    const success = responses[String(successStatus)];
    expect(success).toBeDefined();
    const otherSuccesses = Object.keys(responses).filter(
      (status) => /^2/.test(status) && status !== String(successStatus),
    );
    expect(otherSuccesses).toEqual([]);
    if (successStatus === 204) {
      expect(success.content).toBeUndefined();
    } else {
      expect(success.content['application/json'].schema).toBeDefined();
    }

    for (const status of [401, 403, ...errors]) {
      const error = responses[String(status)];
      expect({ status, documented: error !== undefined }).toEqual({ status, documented: true });
      const schema = resolve(error.content['application/problem+json'].schema);
      expect(Object.keys(schema.properties)).toEqual(
        expect.arrayContaining([
          'type',
          'title',
          'status',
          'detail',
          'instance',
          'code',
          'traceId',
        ]),
      );
    }
    expect(responses[403].description).toContain(scope);
    expect(responses.default).toBeDefined();
  });

  it.each(Object.entries(REQUEST_EXAMPLES))(
    'gives %s the reference request example',
    (key, example) => {
      const [method, path] = key.split(' ');
      const body = document.paths[path][method].requestBody;
      expect(body.required).toBe(true);
      const schema = resolve(body.content['application/json'].schema);
      for (const [property, value] of Object.entries(example)) {
        expect({ property, example: schema.properties[property]?.example }).toEqual({
          property,
          example: value,
        });
      }
      if (method === 'post')
        expect([...schema.required].sort()).toEqual(Object.keys(example).sort());
      if (schema.properties.type) expect(schema.properties.type.enum).toEqual(['text', 'date']);
    },
  );

  it('documents the tag and field-definition shapes', () => {
    const tagList = resolve(
      document.paths['/v1/tags'].get.responses['200'].content['application/json'].schema,
    );
    const tag = resolve(tagList.properties.tags.items);
    expect(Object.keys(tag.properties).sort()).toEqual(
      ['createdAt', 'createdBy', 'id', 'labeledCount', 'name'].sort(),
    );
    const created = resolve(
      document.paths['/v1/tags'].post.responses['201'].content['application/json'].schema,
    );
    expect(created).toEqual(tag);

    for (const path of ['/v1/contacts/custom-fields', '/v1/properties/custom-fields']) {
      const list = resolve(
        document.paths[path].get.responses['200'].content['application/json'].schema,
      );
      const field = resolve(list.properties.customFields.items);
      expect(Object.keys(field.properties)).toEqual(
        expect.arrayContaining([...FIELD_SHAPE, 'key']),
      );
      expect(field.properties.type.enum).toEqual(['text', 'date']);
      expect(field.properties.id.example).toBe('cf_lifecycle_stage');
    }
  });

  it('puts every /v1 operation behind bearerAuth with exactly one scope, and /health outside it', () => {
    for (const [path, operations] of Object.entries(document.paths as Record<string, any>)) {
      for (const [method, operation] of Object.entries(operations as Record<string, any>)) {
        const where = `${method.toUpperCase()} ${path}`;
        if (path.startsWith('/v1/')) {
          expect({ where, security: operation.security }).toEqual({
            where,
            security: [{ bearerAuth: [] }],
          });
          expect({ where, scopes: operation['x-required-scopes']?.length }).toEqual({
            where,
            scopes: 1,
          });
        } else {
          expect({ where, security: operation.security }).toEqual({ where, security: undefined });
        }
      }
    }
  });

  it('lists the Contacts group first', () => {
    expect((document.tags as { name: string }[]).map((tag) => tag.name)).toEqual([
      'Contacts',
      'Tags',
      'Contact custom fields',
      'Property custom fields',
    ]);
  });

  it('covers the 24 reference operations, each with its own operationId', () => {
    expect(OPERATIONS).toHaveLength(24);
    const ids = OPERATIONS.map(
      ([method, path]): unknown => document.paths[path]?.[method]?.operationId,
    );
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(24);
  });

  it.each(OPERATIONS)('gives %s %s a sample request and response', (method, path, success) => {
    const operation = document.paths[path][method];
    const [sample] = operation['x-codeSamples'] as { lang: string; source: string }[];
    expect(sample.source).toContain(`curl`);
    expect(sample.source).toContain(`-X ${method.toUpperCase()} "http://localhost:3000/v1/`);
    expect(sample.source).not.toMatch(/\{(id|contactId|tagId|customFieldId)\}/);
    for (const parameter of operation.parameters ?? []) {
      if (parameter.in !== 'path') continue;
      expect({ path, parameter: parameter.name, example: typeof parameter.example }).toEqual({
        path,
        parameter: parameter.name,
        example: 'string',
      });
    }
    for (const [type, media] of Object.entries(operation.requestBody?.content ?? {})) {
      expect({ path, type, example: (media as any).example }).toEqual({
        path,
        type,
        example: expect.any(Object),
      });
    }
    const response = operation.responses[String(success)];
    if (success === 204) return;
    expect(response.content['application/json'].example).toEqual(expect.any(Object));
  });

  it("answers the samples with what the API does, not the reference's sample accidents", () => {
    const create = document.paths['/v1/contacts'].post;
    const sent = create.requestBody.content['application/json'].example;
    const created = create.responses['201'].content['application/json'].example;
    expect(created.customFields).toEqual(sent.customFields);
    expect(created.id).toMatch(/^con_/);
    const tag = document.paths['/v1/tags'].post;
    expect(tag.responses['201'].content['application/json'].example.name).toBe(
      tag.requestBody.content['application/json'].example.name,
    );
    const rename = document.paths['/v1/contacts/custom-fields/{id}'].patch;
    expect(rename.responses['200'].content['application/json'].example.entityType).toBe('contact');
    const upload = document.paths['/v1/contacts/import'].post['x-codeSamples'][0].source;
    expect(upload).toMatch(/file=@\S+\.csv/);
  });
});
