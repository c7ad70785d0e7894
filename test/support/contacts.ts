import request from 'supertest';
import { api, as, newTenantId } from './api';

/** `YYYY-MM-DDTHH:MM:SS.mmmZ` */
export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** A prefix and a 26-character Crockford base-32 ULID. */
export const CONTACT_ID = /^con_[0-9A-HJKMNP-TV-Z]{26}$/;
export const IDENTITY_ID = /^idn_[0-9A-HJKMNP-TV-Z]{26}$/;
export const TAG_ID = /^tag_[0-9A-HJKMNP-TV-Z]{26}$/;

export const CONTACT_KEYS = [
  'archivedAt',
  'createdAt',
  'customFields',
  'id',
  'identities',
  'name',
  'tagIds',
  'tenantId',
  'updatedAt',
];

export interface Identity {
  id: string;
  channel: string;
  metadata: { phoneNumber: string };
}

export interface Contact {
  id: string;
  tenantId: string;
  name: string | null;
  createdAt: string;
  updatedAt: string;
  identities: Identity[];
  tagIds: string[];
  customFields: Record<string, string>;
  archivedAt: string | null;
}

export interface Tag {
  id: string;
  name: string;
  createdAt: string;
  createdBy: string;
  labeledCount: number;
}

export interface Field {
  id: string;
  key: string;
  name: string;
  type: 'text' | 'date';
}

export interface ContactPage {
  contacts: Contact[];
  nextPageToken: string;
}

export type QueryValue = string | number | boolean | undefined | (string | number)[];

/**
 * Builds a query string exactly as written: arrays become repeated parameters, keys such as
 * `customFields[lifecycleStage]` are kept (deepObject), undefined values are left out.
 */
export function queryString(params: Record<string, QueryValue>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(item))}`);
    }
  }
  return parts.join('&');
}

export function pause(ms = 5): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A valid Polish mobile number, distinct for each n < 1,000,000. */
export function phoneNumber(n: number): string {
  return `+48600${String(n).padStart(6, '0')}`;
}

export function ms(timestamp: string): number {
  return Date.parse(timestamp);
}

/** Runs `work` for 0..count-1 with at most `concurrency` in flight; results in index order. */
export async function inParallel<T>(
  count: number,
  work: (index: number) => Promise<T>,
  concurrency = 8,
): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await work(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

function expectStatus(response: request.Response, status: number): void {
  if (response.status !== status) {
    throw new Error(`expected ${status}, got ${response.status}: ${JSON.stringify(response.body)}`);
  }
}

/** A fresh tenant and a caller in it (role admin, every scope), with shortcuts for fixtures. */
export class TestTenant {
  readonly id = newTenantId();

  headers(overrides: { role?: string; scopes?: string[]; sub?: string } = {}) {
    return as(this.id, overrides);
  }

  async createContact(body: Record<string, unknown>): Promise<Contact> {
    const response = await api().post('/v1/contacts').set(this.headers()).send(body);
    expectStatus(response, 201);
    return response.body as Contact;
  }

  /** Contacts named `${prefix} 0`, `${prefix} 1`… created concurrently. */
  createContacts(count: number, prefix = 'Contact'): Promise<Contact[]> {
    return inParallel(count, (i) => this.createContact({ name: `${prefix} ${i}` }));
  }

  async getContact(id: string): Promise<Contact> {
    const response = await api().get(`/v1/contacts/${id}`).set(this.headers());
    expectStatus(response, 200);
    return response.body as Contact;
  }

  async rename(id: string, name: string | null): Promise<Contact> {
    const response = await api().patch(`/v1/contacts/${id}`).set(this.headers()).send({ name });
    expectStatus(response, 200);
    return response.body as Contact;
  }

  async deleteContact(id: string): Promise<void> {
    expectStatus(await api().delete(`/v1/contacts/${id}`).set(this.headers()), 204);
  }

  async archive(id: string): Promise<void> {
    expectStatus(await api().post(`/v1/contacts/${id}/archive`).set(this.headers()), 204);
  }

  async unarchive(id: string): Promise<void> {
    expectStatus(await api().post(`/v1/contacts/${id}/unarchive`).set(this.headers()), 204);
  }

  async setField(contactId: string, field: string, value: string): Promise<void> {
    const response = await api()
      .put(`/v1/contacts/${contactId}/custom-fields/${field}`)
      .set(this.headers())
      .send({ value });
    expectStatus(response, 204);
  }

  async createTag(name: string): Promise<Tag> {
    const response = await api().post('/v1/tags').set(this.headers()).send({ name });
    expectStatus(response, 201);
    return response.body as Tag;
  }

  async listTags(): Promise<Tag[]> {
    const response = await api().get('/v1/tags').set(this.headers());
    expectStatus(response, 200);
    return (response.body as { tags: Tag[] }).tags;
  }

  async deleteTag(id: string): Promise<void> {
    expectStatus(await api().delete(`/v1/tags/${id}`).set(this.headers()), 204);
  }

  async tag(contactId: string, tagId: string): Promise<void> {
    const response = await api()
      .post(`/v1/contacts/${contactId}/tags/${tagId}`)
      .set(this.headers());
    expectStatus(response, 204);
  }

  async createField(
    name: string,
    type: 'text' | 'date' = 'text',
    entity: 'contacts' | 'properties' = 'contacts',
  ): Promise<Field> {
    const response = await api()
      .post(`/v1/${entity}/custom-fields`)
      .set(this.headers())
      .send({ name, type });
    expectStatus(response, 201);
    return response.body as Field;
  }

  /** GET /v1/contacts with a query string as written (see queryString). */
  list(query: string | Record<string, QueryValue> = ''): request.Test {
    const search = typeof query === 'string' ? query : queryString(query);
    return api()
      .get(`/v1/contacts${search ? `?${search}` : ''}`)
      .set(this.headers());
  }

  async page(query: string | Record<string, QueryValue> = ''): Promise<ContactPage> {
    const response = await this.list(query);
    expectStatus(response, 200);
    return response.body as ContactPage;
  }

  /** Ids of the first page (pageSize 1000 unless the query says otherwise). */
  async listIds(query: Record<string, QueryValue> = {}): Promise<string[]> {
    const page = await this.page({ pageSize: 1000, ...query });
    return page.contacts.map((c) => c.id);
  }

  /** Follows nextPageToken to the end; `between` runs after each non-final page. */
  async walk(
    query: Record<string, QueryValue>,
    between?: (pageIndex: number) => Promise<void>,
  ): Promise<{ ids: string[]; pages: ContactPage[] }> {
    const pages: ContactPage[] = [];
    let pageToken: string | undefined;
    for (;;) {
      const page = await this.page({ ...query, pageToken });
      pages.push(page);
      if (page.nextPageToken === '') break;
      if (pages.length > 500) throw new Error('paging does not end');
      pageToken = page.nextPageToken;
      if (between) await between(pages.length - 1);
    }
    return { ids: pages.flatMap((p) => p.contacts.map((c) => c.id)), pages };
  }

  async count(archived?: string): Promise<number> {
    const response = await api()
      .get(`/v1/contacts/count${archived === undefined ? '' : `?archived=${archived}`}`)
      .set(this.headers());
    expectStatus(response, 200);
    return (response.body as { totalSize: number }).totalSize;
  }
}

export function sortedIds(contacts: { id: string }[]): string[] {
  return contacts.map((c) => c.id).sort();
}

/** The `field` of every entry of a problem's `errors`, sorted. */
export function errorFields(problem: Record<string, any>): string[] {
  const errors = problem.errors as { field: string }[] | undefined;
  if (!Array.isArray(errors)) throw new Error(`no errors in ${JSON.stringify(problem)}`);
  return errors.map((e) => e.field).sort();
}
