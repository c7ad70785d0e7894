import type { Response } from 'express';
import { Precondition } from './precondition';

/** A strong validator: the version counter that every change of the resource moves. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

export function setETag(response: Response, version: number): void {
  response.setHeader('ETag', etagOf(version));
}

/** The entity-tags of an If-Match / If-None-Match header: `*`, or the listed tags as written. */
function entityTags(header: string | string[] | undefined): '*' | string[] | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value.trim() === '*') return '*';
  return value.match(/(W\/)?"[^"]*"/g) ?? [];
}

/**
 * If-Match as a precondition: `*` matches any live version; weak tags (`W/"…"`) and tags this
 * API never issued match nothing, so a header holding only those always fails.
 */
export function parseIfMatch(header: string | string[] | undefined): Precondition | undefined {
  const tags = entityTags(header);
  if (tags === undefined) return undefined;
  if (tags === '*') return { any: true };
  const versions = tags
    .filter((tag) => /^"[1-9]\d{0,14}"$/.test(tag))
    .map((tag) => Number(tag.slice(1, -1)));
  return { versions };
}

/** True when If-None-Match holds the current validator (or `*`): the client's copy is fresh. */
export function ifNoneMatchHolds(header: string | string[] | undefined, version: number): boolean {
  const tags = entityTags(header);
  if (tags === undefined) return false;
  if (tags === '*') return true;
  // Weak comparison, as RFC 9110 prescribes for If-None-Match.
  const current = etagOf(version);
  return tags.some((tag) => tag.replace(/^W\//, '') === current);
}
