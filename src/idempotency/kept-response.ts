import { HttpStatus } from '@nestjs/common';
import type { Response as ExpressResponse } from 'express';
import { ProblemException } from '../common/problem/problem.exception';
import { REPLAYED_HEADER } from './idempotency-key';
import { KeptResponse } from './idempotency.repository';

/** Outcomes a retry must not repeat from memory: it runs afresh instead. */
const NOT_KEPT = new Set([401, 403, 408, 429]);
const KEPT_HEADERS = ['content-type', 'location', 'etag'];

export const reused = () =>
  new ProblemException({
    status: HttpStatus.UNPROCESSABLE_ENTITY,
    code: 'IDEMPOTENCY_KEY_REUSED',
    title: 'Unprocessable Content',
    detail: 'This Idempotency-Key was used with another request (method, path, query or body).',
  });

export const inUse = () =>
  new ProblemException({
    status: HttpStatus.CONFLICT,
    code: 'IDEMPOTENCY_KEY_IN_USE',
    title: 'Conflict',
    detail: 'A request with this Idempotency-Key is still running; retry shortly.',
  });

/**
 * A failure is answered by the problem filter: `store` gets its response, as sent, when it is
 * the operation's own 4xx (null otherwise, and when the client went away before an answer).
 * The answer waits until that is stored, so a retry that follows it finds it.
 */
export function whenFailureSent(
  response: ExpressResponse,
  store: (kept: KeptResponse | null) => Promise<unknown>,
): void {
  // Already answered (a 503 for running out of time): nothing is kept, and no send will come.
  if (response.headersSent || response.writableEnded || response.destroyed) {
    void store(null).catch(() => undefined);
    return;
  }
  const send = response.send.bind(response);
  let settled = false;
  response.send = ((body?: unknown) => {
    response.send = send;
    if (settled) return send(body);
    settled = true;
    const status = response.statusCode;
    const kept =
      status >= 400 && status < 500 && !NOT_KEPT.has(status)
        ? { statusCode: status, headers: keptHeaders(response), body: sentText(body) }
        : null;
    void store(kept)
      .catch(() => undefined)
      .finally(() => send(body));
    return response;
  }) as ExpressResponse['send'];
  response.once('close', () => {
    if (settled) return;
    settled = true;
    void store(null).catch(() => undefined);
  });
}

export function keptHeaders(response: ExpressResponse): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = response.getHeader(name);
    if (value !== undefined) headers[name] = String(value);
  }
  // Express adds the charset when it sends text; the kept copy says what was sent.
  const type = headers['content-type'];
  if (type && !type.includes('charset')) headers['content-type'] = `${type}; charset=utf-8`;
  return headers;
}

/** The body a filter sent: a string (problem documents), a Buffer, or nothing. */
function sentText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  return typeof body === 'string' ? body : JSON.stringify(body);
}

/** The kept response again, marked as a replay. */
export function replay(kept: KeptResponse): Response {
  const empty = kept.body === '' || kept.statusCode === 204 || kept.statusCode === 304;
  return new Response(empty ? null : kept.body, {
    status: kept.statusCode,
    headers: { ...kept.headers, [REPLAYED_HEADER]: 'true' },
  });
}
