/**
 * A seeded generator of bad requests, driven by the served OpenAPI document: for each operation
 * it mutates the token, the path parameters, the query and the body its schema describes.
 */
import { ALL_SCOPES, signToken } from '../support/api';
import {
  enc,
  hostileString,
  hostileToken,
  hostileValue,
  manyKeys,
  nested,
  random,
  Random,
} from './hostile-values';

export { random };

export interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  queryParams: { name: string; schema: Record<string, any> }[];
  body?: { kind: 'json'; schema: Record<string, any> } | { kind: 'multipart' };
}

export interface FuzzRequest {
  operation: Operation;
  kind: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer | FormData;
}

/** Ids of real records of the batch's tenant, so some mutations reach past the lookups. */
export interface Fixture {
  tenantId: string;
  ids: Record<string, string[]>;
}

export function operationsOf(document: Record<string, any>): Operation[] {
  const schemas = document.components.schemas as Record<string, Record<string, any>>;
  const resolve = (schema: Record<string, any>): Record<string, any> =>
    typeof schema?.$ref === 'string' ? schemas[schema.$ref.split('/').pop()!] : schema;
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries<Record<string, any>>(document.paths)) {
    for (const [method, spec] of Object.entries<Record<string, any>>(methods)) {
      const parameters = (spec.parameters ?? []) as Record<string, any>[];
      const content = spec.requestBody?.content ?? {};
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name as string),
        queryParams: parameters
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name as string, schema: resolve(p.schema ?? {}) ?? {} })),
        body: content['application/json']
          ? { kind: 'json', schema: resolve(content['application/json'].schema) }
          : content['multipart/form-data']
            ? { kind: 'multipart' }
            : undefined,
      });
    }
  }
  return operations;
}

/** A body the schema accepts, as a starting point for one mutation. */
function exampleOf(schema: Record<string, any>, fixture: Fixture): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name, property] of Object.entries<Record<string, any>>(schema?.properties ?? {})) {
    body[name] =
      name === 'customFields'
        ? { email: 'a@b.pl', [fixture.ids.fieldKey?.[0] ?? 'x']: 'v' }
        : property.enum
          ? property.enum[0]
          : (property.example ?? 'x');
  }
  return body;
}

function jsonBody(r: Random, schema: Record<string, any>, fixture: Fixture): [string, string] {
  const body = exampleOf(schema, fixture);
  const names = Object.keys(body);
  switch (r.int(16)) {
    case 0:
      return ['deep nesting', nested(r.pick([40, 1000, 10_000]), r.next() < 0.5)];
    case 1:
      return [
        'many keys',
        JSON.stringify({ ...body, customFields: manyKeys(r.pick([1001, 20_000])) }),
      ];
    case 2:
      return ['many top-level keys', JSON.stringify(manyKeys(r.pick([1001, 5000]), 1))];
    case 3:
      return [
        'long array',
        JSON.stringify({
          ...body,
          [r.pick(names.length ? names : ['x'])]: Array(r.pick([1001, 50_000])).fill('a'),
        }),
      ];
    case 4:
      return ['not an object', JSON.stringify(r.pick([[], 'text', 42, null, true, [body]]))];
    case 5:
      return [
        'invalid JSON',
        r.pick(['{', '{"name":', '{"a":1,}', "{'a':1}", '\u0000', '{"a":"\\ud800"', 'NaN', '']),
      ];
    case 6:
      return ['unknown keys', JSON.stringify({ ...body, [hostileString(r)]: hostileValue(r) })];
    case 7:
      return [
        'hostile customFields',
        JSON.stringify({
          ...body,
          customFields: { [hostileString(r)]: hostileValue(r), email: hostileValue(r) },
        }),
      ];
    case 8:
      return ['huge body', JSON.stringify({ ...body, name: 'x'.repeat(1_100_000) })];
    default: {
      // Every member of the schema at once gets a hostile value: the 422 must name them all.
      for (const name of names) if (r.next() < 0.7) body[name] = hostileValue(r);
      return ['hostile members', JSON.stringify(body)];
    }
  }
}

function badId(r: Random, fixture: Fixture, param: string): string {
  const real = fixture.ids[param] ?? [];
  switch (r.int(10)) {
    case 0:
    case 1:
      return real.length ? r.pick(real) : 'con_01HV8Y5R5RFMS0TFK6PKF9H2S8';
    case 2:
      return enc(hostileString(r).slice(0, 3000)) || '%20';
    case 3:
      return r.pick([
        '%00',
        'con_%00',
        '%ED%A0%80',
        '%C0%AF',
        '%E0%A4%A',
        '%',
        '%zz',
        '%2F',
        '..',
        '.',
        '%2e%2e',
      ]);
    case 4:
      return 'x'.repeat(r.pick([41, 300, 5000]));
    case 5:
      return r.pick(['con_', 'tag_', 'cf_', 'import_', 'cf_email', 'cf_phone', 'email']);
    case 6:
      return `${r.pick(['con', 'tag', 'cf', 'import'])}_${'0'.repeat(26)}`;
    default:
      return enc(r.pick(['null', 'undefined', '-1', '0', '1e309', ' ', 'ü', '😀', 'A'.repeat(64)]));
  }
}

function queryString(r: Random, operation: Operation): string {
  const parts: string[] = [];
  for (const { name, schema } of operation.queryParams) {
    if (r.next() < 0.6) continue;
    switch (r.int(8)) {
      case 0:
        parts.push(`${name}=${enc(hostileString(r).slice(0, 5000))}`);
        break;
      case 1:
        parts.push(`${name}[]=1&${name}[]=2`);
        break;
      case 2:
        parts.push(`${name}[a][b][c]=1`);
        break;
      case 3:
        parts.push(
          `${name}=${r.pick(['%00', '%ED%A0%80', '%', '%zz', '', '-1', '0', '1e309', 'NaN', 'true', '2026-02-30', '9999-99-99T99:99:99Z'])}`,
        );
        break;
      case 4:
        parts.push(Array.from({ length: 30 }, (_, i) => `${name}=${i}`).join('&'));
        break;
      case 5:
        parts.push(
          schema.enum
            ? `${name}=${enc(schema.enum[0])}%00`
            : `${name}=${enc(JSON.stringify(hostileValue(r)))}`,
        );
        break;
      case 6:
        parts.push(
          `${name}[${enc(hostileString(r).slice(0, 200))}]=${enc(hostileString(r).slice(0, 200))}`,
        );
        break;
      default:
        parts.push(`${name}=${'a'.repeat(r.pick([100, 10_000]))}`);
    }
  }
  if (r.next() < 0.2) parts.push(`${enc(hostileString(r).slice(0, 100))}=1`);
  return parts.length ? `?${parts.join('&')}` : '';
}

function multipartBody(r: Random): [string, FormData | string, Record<string, string>] {
  const form = new FormData();
  const files: [string, Uint8Array | string][] = [
    ['binary', new Uint8Array(Array.from({ length: 4096 }, (_, i) => (i * 37 + 11) % 256))],
    ['NUL cells', `name,phone\n${'Anna,+48600100200\n'.repeat(600)}Bad\u0000,x\n`],
    ['invalid UTF-8', new Uint8Array([0x6e, 0x61, 0x6d, 0x65, 0x0a, 0xc3, 0x28, 0xed, 0xa0, 0x80])],
    [
      'hostile cells',
      `name,phone,email,tags\n${hostileString(r).replace(/[\r\n]/g, '')},${hostileString(r).replace(/[\r\n]/g, '')},x,${'t;'.repeat(500)}\n`,
    ],
    ['no header', '\n\n\n'],
    ['duplicate columns', 'name,name\na,b\n'],
    ['wide header', `${Array.from({ length: 3000 }, (_, i) => `c${i}`).join(',')}\n1\n`],
    ['empty', ''],
  ];
  const [kind, content] = r.pick(files);
  switch (r.int(4)) {
    case 0:
      return ['multipart without file part', (form.append('other', 'x'), form), {}];
    case 1:
      return [
        'broken multipart',
        '--x\r\nContent-Disposition: form-data; name="file"\r\n\r\nname',
        { 'Content-Type': 'multipart/form-data; boundary=x' },
      ];
    case 2:
      return [
        'multipart as JSON',
        JSON.stringify({ file: 'name\nA' }),
        { 'Content-Type': 'application/json' },
      ];
    default:
      form.append('file', new Blob([content]), 'f.csv');
      return [`csv: ${kind}`, form, {}];
  }
}

export function badRequest(
  r: Random,
  base: string,
  operation: Operation,
  fixture: Fixture,
): FuzzRequest {
  const goodToken = signToken({
    sub: 'usr_fuzz',
    tenantId: fixture.tenantId,
    role: 'admin',
    scope: ALL_SCOPES.join(' '),
  });
  const roll = r.int(10);
  const token = roll === 0 ? hostileToken(r, fixture) : goodToken;
  const headers: Record<string, string> =
    token === undefined ? {} : { Authorization: `Bearer ${token}` };
  let path = operation.path;
  for (const param of operation.pathParams) {
    const id =
      roll === 1 || roll === 2 || r.next() < 0.3
        ? badId(r, fixture, param)
        : (fixture.ids[param] ?? ['x'])[0];
    path = path.replace(`{${param}}`, id);
  }
  const query = roll === 3 || r.next() < 0.3 ? queryString(r, operation) : '';
  let kind = roll === 0 ? 'token' : roll <= 2 ? 'path' : roll === 3 ? 'query' : 'body';
  let body: FuzzRequest['body'];
  if (operation.body?.kind === 'json') {
    const [bodyKind, text] = jsonBody(r, operation.body.schema, fixture);
    body = text;
    if (kind === 'body') kind = bodyKind;
    headers['Content-Type'] =
      r.next() < 0.05
        ? r.pick(['text/plain', 'application/xml', 'application/json; charset=latin1'])
        : 'application/json';
  } else if (operation.body?.kind === 'multipart') {
    const [bodyKind, form, extra] = multipartBody(r);
    body = form;
    Object.assign(headers, extra);
    if (kind === 'body') kind = bodyKind;
  } else if (operation.method !== 'GET' && r.next() < 0.15) {
    body = nested(2000, true);
    headers['Content-Type'] = 'application/json';
    kind = 'unexpected body';
  }
  return {
    operation,
    kind,
    method: operation.method,
    url: `${base}${path}${query}`,
    headers,
    body,
  };
}
