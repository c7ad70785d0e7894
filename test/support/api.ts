import { sign, SignOptions } from 'jsonwebtoken';
import request from 'supertest';
import { ulid } from 'ulid';
import { TEST_JWT_SECRET } from './test-target';

export const ALL_SCOPES = [
  'contact:list',
  'contact:read',
  'contact:create',
  'contact:update',
  'contact:delete',
  'tag:list',
  'tag:create',
  'tag:delete',
  'custom_field:list',
  'custom_field:create',
  'custom_field:update',
  'custom_field:delete',
  'webhook:manage',
];

export function apiUrl(): string {
  const url = process.env.E2E_API_URL;
  if (!url)
    throw new Error('E2E_API_URL is not set: run the suite through test/jest-e2e.config.js');
  return url;
}

/** supertest against the shared server (or another one). */
export function api(url = apiUrl()) {
  return request(url);
}

export function newTenantId(): string {
  return `tn_${ulid()}`;
}

export interface TokenClaims {
  sub?: string;
  tenantId?: string;
  role?: string;
  scope?: string;
  scopes?: string[];
  [claim: string]: unknown;
}

export function signToken(
  claims: TokenClaims,
  options: SignOptions = { expiresIn: 600 },
  secret = TEST_JWT_SECRET,
): string {
  return sign(claims, secret, { algorithm: 'HS256', ...options });
}

/** A caller in `tenantId`: role admin and every scope unless told otherwise. */
export function tokenFor(
  tenantId: string,
  overrides: { role?: string; scopes?: string[]; sub?: string } = {},
): string {
  return signToken({
    sub: overrides.sub ?? 'usr_e2e',
    tenantId,
    role: overrides.role ?? 'admin',
    scope: (overrides.scopes ?? ALL_SCOPES).join(' '),
  });
}

export function bearer(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}

/** Shorthand: headers for a caller of a fresh or given tenant. */
export function as(
  tenantId: string,
  overrides: { role?: string; scopes?: string[]; sub?: string } = {},
) {
  return bearer(tokenFor(tenantId, overrides));
}

/** Asserts an RFC 9457 body and returns it. */
export function expectProblem(
  response: request.Response,
  status: number,
  code?: string,
): Record<string, any> {
  if (response.status !== status) {
    throw new Error(`expected ${status}, got ${response.status}: ${JSON.stringify(response.body)}`);
  }
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = response.body as Record<string, any>;
  expect(body).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
  expect(typeof body.detail).toBe('string');
  expect(typeof body.instance).toBe('string');
  expect(body.code).toMatch(/^[A-Z][A-Z0-9_]*$/);
  expect(typeof body.traceId).toBe('string');
  if (code) expect(body.code).toBe(code);
  return body;
}
