import { BadRequestProblem, FieldError } from '../common/problem/problem.exception';
import { isCalendarDate } from '../custom-fields/field-value-rules';
import { CHANNELS, Channel } from './contact.entity';

export const ORDER_FIELDS = ['createdAt', 'updatedAt', 'name'] as const;
export type ContactOrderField = (typeof ORDER_FIELDS)[number];
export const ORDER_DIRECTIONS = ['asc', 'desc'] as const;
export type OrderDirection = (typeof ORDER_DIRECTIONS)[number];

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/** The filters of GET /v1/contacts, as parsed from the query string. */
export interface ContactFilter {
  /** Trimmed, lower-cased; undefined when empty. */
  search?: string;
  /** Field key or id → expected value, as the caller named them. */
  customFields: Record<string, string>;
  tagIds: string[];
  channels: Channel[];
  archived: boolean;
  createdAfter?: Date;
  createdBefore?: Date;
}

export interface ContactListQuery {
  filter: ContactFilter;
  orderBy: ContactOrderField;
  orderDirection: OrderDirection;
  pageSize: number;
  pageToken?: string;
}

const KNOWN_PARAMETERS = new Set([
  'pageToken',
  'pageSize',
  'search',
  'customFields',
  'tagIds',
  'channels',
  'archived',
  'createdAfter',
  'createdBefore',
  'orderBy',
  'orderDirection',
]);

// RFC 3339 with a required offset (Z or ±hh:mm).
const RFC3339 = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))$/i;

/** Shape and ranges: `new Date` alone rolls 2026-02-30 over to March and T24:00 to the next day. */
function isRfc3339(value: string): boolean {
  const match = RFC3339.exec(value);
  if (!match) return false;
  const [, date, hour, minute, second, offsetHour = '00', offsetMinute = '00'] = match;
  return (
    isCalendarDate(date) &&
    Number(hour) <= 23 &&
    Number(minute) <= 59 &&
    Number(second) <= 59 &&
    Number(offsetHour) <= 23 &&
    Number(offsetMinute) <= 59
  );
}

class QueryErrors {
  readonly errors: FieldError[] = [];
  add(field: string, message: string) {
    this.errors.push({ field, message });
  }
  throwIfAny() {
    if (this.errors.length === 0) return;
    throw new BadRequestProblem(
      'INVALID_QUERY_PARAMETER',
      this.errors.map((e) => `${e.field} ${e.message}`).join('; '),
      this.errors,
    );
  }
}

function single(raw: unknown, name: string, errors: QueryErrors): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === 'string') return raw;
  errors.add(name, 'must be given once, as a plain value');
  return undefined;
}

/** `a&a`, `a,b` or both: a flat list of non-empty strings. */
/** qs turns more than 20 repeated values (`a=1&a=2…`, `a[]=1…`) into an object keyed 0, 1, 2… */
function isIndexedObject(raw: unknown): raw is Record<string, unknown> {
  return (
    typeof raw === 'object' &&
    raw !== null &&
    !Array.isArray(raw) &&
    Object.keys(raw).every((key) => /^\d+$/.test(key))
  );
}

function list(raw: unknown, name: string, errors: QueryErrors): string[] {
  if (raw === undefined) return [];
  const values = Array.isArray(raw) ? raw : isIndexedObject(raw) ? Object.values(raw) : [raw];
  if (!values.every((v): v is string => typeof v === 'string')) {
    errors.add(name, 'must be a list of strings');
    return [];
  }
  return [
    ...new Set(
      values
        .flatMap((v) => v.split(','))
        .map((v) => v.trim())
        .filter(Boolean),
    ),
  ];
}

function customFields(raw: unknown, errors: QueryErrors): Record<string, string> {
  if (raw === undefined || raw === '') return {};
  let parsed: unknown = raw;
  if (typeof raw === 'string') {
    try {
      parsed = JSON.parse(raw);
    } catch {
      errors.add('customFields', 'must be a JSON object or customFields[key]=value pairs');
      return {};
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    errors.add('customFields', 'must be a JSON object or customFields[key]=value pairs');
    return {};
  }
  // No prototype: a field keyed `__proto__` or `constructor` is a plain entry like any other.
  const result: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== 'string' && typeof value !== 'number') {
      errors.add(`customFields.${key}`, 'must be a string');
      continue;
    }
    result[key] = String(value);
  }
  return result;
}

function timestamp(raw: unknown, name: string, errors: QueryErrors): Date | undefined {
  const value = single(raw, name, errors);
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (!isRfc3339(value) || Number.isNaN(date.getTime())) {
    errors.add(name, 'must be an RFC 3339 timestamp with offset, e.g. 2026-04-30T09:20:00Z');
    return undefined;
  }
  return date;
}

function oneOf<T extends string>(
  raw: unknown,
  name: string,
  allowed: readonly T[],
  fallback: T,
  errors: QueryErrors,
): T {
  const value = single(raw, name, errors);
  if (value === undefined || value === '') return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    errors.add(name, `must be one of ${allowed.join(', ')}`);
    return fallback;
  }
  return value as T;
}

/** Parses and validates the list query; anything malformed is one 400 naming every parameter. */
export function parseContactListQuery(raw: Record<string, unknown>): ContactListQuery {
  const errors = new QueryErrors();
  for (const name of Object.keys(raw)) {
    if (!KNOWN_PARAMETERS.has(name)) errors.add(name, 'is not a known query parameter');
  }

  const pageSizeRaw = single(raw.pageSize, 'pageSize', errors);
  let pageSize = DEFAULT_PAGE_SIZE;
  if (pageSizeRaw !== undefined) {
    if (!/^\d+$/.test(pageSizeRaw)) errors.add('pageSize', 'must be a non-negative integer');
    else pageSize = Math.min(Number(pageSizeRaw), MAX_PAGE_SIZE) || DEFAULT_PAGE_SIZE;
  }

  const archivedRaw = single(raw.archived, 'archived', errors);
  if (archivedRaw !== undefined && archivedRaw !== 'true' && archivedRaw !== 'false') {
    errors.add('archived', 'must be true or false');
  }

  const channels = list(raw.channels, 'channels', errors);
  for (const channel of channels) {
    if (!(CHANNELS as readonly string[]).includes(channel)) {
      errors.add('channels', `has unknown channel "${channel}" (known: ${CHANNELS.join(', ')})`);
    }
  }

  const search = single(raw.search, 'search', errors)?.trim().toLowerCase();
  const pageToken = single(raw.pageToken, 'pageToken', errors);
  const query: ContactListQuery = {
    filter: {
      search: search ? search : undefined,
      customFields: customFields(raw.customFields, errors),
      tagIds: list(raw.tagIds, 'tagIds', errors),
      channels: channels as Channel[],
      archived: archivedRaw === 'true',
      createdAfter: timestamp(raw.createdAfter, 'createdAfter', errors),
      createdBefore: timestamp(raw.createdBefore, 'createdBefore', errors),
    },
    orderBy: oneOf(raw.orderBy, 'orderBy', ORDER_FIELDS, 'createdAt', errors),
    orderDirection: oneOf(raw.orderDirection, 'orderDirection', ORDER_DIRECTIONS, 'desc', errors),
    pageSize,
    pageToken: pageToken === '' ? undefined : pageToken,
  };
  errors.throwIfAny();
  return query;
}
