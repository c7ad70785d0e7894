import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, Hash } from 'node:crypto';
import type { Request } from 'express';
import { sha256 } from './idempotency-key';

const uploads = new AsyncLocalStorage<Hash>();
const BODY_HASH = Symbol('idempotency-body-hash');
export const EMPTY_BODY_HASH = sha256('');

/**
 * `verify` hook of the JSON body parser: keeps the hash of the body bytes of a request that
 * carries an Idempotency-Key (other requests pay nothing).
 */
export function hashJsonBody(request: { headers: Request['headers'] }, _: unknown, body: Buffer) {
  if (request.headers['idempotency-key'] !== undefined) {
    (request as Record<symbol, unknown>)[BODY_HASH] = sha256(body);
  }
}

export function jsonBodyHash(request: Request): string {
  return ((request as unknown as Record<symbol, unknown>)[BODY_HASH] as string) ?? EMPTY_BODY_HASH;
}

/** Feeds the bytes of an uploaded file to the fingerprint of the running idempotent request. */
export function fingerprintUpload(chunk: Buffer): void {
  uploads.getStore()?.update(chunk);
}

/** Runs `work` with a hash that collects the uploaded file's bytes; returns both. */
export async function collectingUpload<T>(work: () => Promise<T>) {
  const hash = createHash('sha256');
  const result = await uploads.run(hash, work);
  return { result, fileHash: () => hash.digest('hex') };
}
