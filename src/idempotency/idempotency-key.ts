import { createHash } from 'node:crypto';
import { BadRequestProblem } from '../common/problem/problem.exception';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** 1–255 visible ASCII characters. */
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * The key of an `Idempotency-Key` header: an RFC 8941 string (`"…"`) has its quotes removed.
 * Undefined without the header; 400 INVALID_IDEMPOTENCY_KEY when it is malformed.
 */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  let value = Array.isArray(header) ? header.join(',') : header;
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  if (!KEY_PATTERN.test(value)) {
    throw new BadRequestProblem(
      'INVALID_IDEMPOTENCY_KEY',
      'Idempotency-Key must be 1 to 255 visible ASCII characters.',
      [{ field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' }],
    );
  }
  return value;
}

export function sha256(...parts: (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}

/** What identifies "the same request": method, path and query string, and the body's hash. */
export function requestFingerprint(method: string, url: string, bodyHash: string): string {
  return sha256(method, ' ', url, '\n', bodyHash);
}
