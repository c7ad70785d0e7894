import { DataSource } from 'typeorm';
import { api, apiUrl } from './api';
import { testTarget } from './test-target';

/** The status document of GET /v1/contacts/imports/{id}. */
export interface ImportStatus {
  importId: string;
  status: 'queued' | 'processing' | 'completed' | 'failed';
  totalRows: number;
  processedRows: number;
  successCount: number;
  createdCount: number;
  updatedCount: number;
  failedCount: number;
  errors: { row: number; column: string | null; message: string }[];
  errorsTruncated: boolean;
  ignoredColumns: string[];
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  failureReason?: string;
}

export const IMPORT_ID = /^import_[0-9A-HJKMNP-TV-Z]{26}$/;
export const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

type Headers = Record<string, string>;

/** POST /v1/contacts/import with `content` as the `file` part; the raw supertest call. */
export function postCsv(
  headers: Headers,
  content: string | Buffer,
  options: { url?: string; filename?: string; contentType?: string } = {},
) {
  return api(options.url ?? apiUrl())
    .post('/v1/contacts/import')
    .set(headers)
    .attach('file', Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'), {
      filename: options.filename ?? 'contacts.csv',
      contentType: options.contentType ?? 'text/csv',
    });
}

/** Uploads a CSV and returns the import id (asserting the 202). */
export async function uploadCsv(
  headers: Headers,
  content: string | Buffer,
  url?: string,
): Promise<string> {
  const response = await postCsv(headers, content, { url });
  if (response.status !== 202) {
    throw new Error(
      `upload: expected 202, got ${response.status}: ${JSON.stringify(response.body)}`,
    );
  }
  expect(response.body).toEqual({ importId: expect.stringMatching(IMPORT_ID) });
  return response.body.importId as string;
}

export async function getImport(
  headers: Headers,
  importId: string,
  url?: string,
): Promise<ImportStatus> {
  const response = await api(url ?? apiUrl())
    .get(`/v1/contacts/imports/${importId}`)
    .set(headers);
  if (response.status !== 200) {
    throw new Error(
      `status: expected 200, got ${response.status}: ${JSON.stringify(response.body)}`,
    );
  }
  return response.body as ImportStatus;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls the status until `done` holds (default: completed or failed). */
export async function waitForImport(
  headers: Headers,
  importId: string,
  options: {
    url?: string;
    timeoutMs?: number;
    intervalMs?: number;
    done?: (status: ImportStatus) => boolean;
  } = {},
): Promise<ImportStatus> {
  const done = options.done ?? ((s) => s.status === 'completed' || s.status === 'failed');
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const status = await getImport(headers, importId, options.url);
    if (done(status)) return status;
    if (Date.now() > deadline) {
      throw new Error(`import ${importId} still not done: ${JSON.stringify(status)}`);
    }
    await sleep(options.intervalMs ?? 100);
  }
}

/** Uploads, waits for the end, asserts `completed` and the count identities, returns the status. */
export async function importCsv(
  headers: Headers,
  content: string | Buffer,
  options: { url?: string; timeoutMs?: number } = {},
): Promise<ImportStatus> {
  const importId = await uploadCsv(headers, content, options.url);
  const status = await waitForImport(headers, importId, options);
  if (status.status !== 'completed') {
    throw new Error(`import ${importId} did not complete: ${JSON.stringify(status)}`);
  }
  expect(status.totalRows).toBe(status.successCount + status.failedCount);
  expect(status.successCount).toBe(status.createdCount + status.updatedCount);
  expect(status.processedRows).toBe(status.totalRows);
  return status;
}

export interface Contact {
  id: string;
  name: string | null;
  identities: { id: string; channel: string; metadata: { phoneNumber: string } }[];
  tagIds: string[];
  customFields: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  archivedAt: string | null;
}

/** Every (non-archived) contact of the caller's tenant, walking the pages of GET /v1/contacts. */
export async function listAllContacts(headers: Headers, url?: string): Promise<Contact[]> {
  const contacts: Contact[] = [];
  let pageToken = '';
  do {
    const response = await api(url ?? apiUrl())
      .get('/v1/contacts')
      .query({ pageSize: 1000, ...(pageToken ? { pageToken } : {}) })
      .set(headers)
      .expect(200);
    contacts.push(...(response.body.contacts as Contact[]));
    pageToken = response.body.nextPageToken as string;
  } while (pageToken);
  return contacts;
}

export async function listTags(
  headers: Headers,
  url?: string,
): Promise<{ id: string; name: string; createdBy: string; labeledCount: number }[]> {
  const response = await api(url ?? apiUrl())
    .get('/v1/tags')
    .set(headers)
    .expect(200);
  return response.body.tags as {
    id: string;
    name: string;
    createdBy: string;
    labeledCount: number;
  }[];
}

export async function createField(
  headers: Headers,
  name: string,
  type: 'text' | 'date',
  url?: string,
): Promise<{ id: string; key: string }> {
  const response = await api(url ?? apiUrl())
    .post('/v1/contacts/custom-fields')
    .set(headers)
    .send({ name, type })
    .expect(201);
  return response.body as { id: string; key: string };
}

/** A valid Polish mobile number, distinct for every n below 10 million. */
export function phoneNumber(n: number): string {
  return `+4851${String(n).padStart(7, '0')}`;
}

/**
 * A generated `name,phone,tags` file of `rows` data rows (spreadsheet rows 2..rows+1) with its
 * expected outcome. Every 50th row has a bad phone; every 40th repeats the phone of the row 1500
 * rows earlier (so across a batch boundary) and updates that contact instead of creating one.
 * `phoneBase` keeps the phones of different files apart.
 */
export function numberedCsv(rows: number, phoneBase = 0) {
  const lines = ['name,phone,tags'];
  const kinds: ('person' | 'again' | 'bad')[] = [];
  /** phone → the name its contact ends with */
  const names = new Map<string, string>();
  for (let i = 0; i < rows; i++) {
    if (i % 50 === 49) {
      lines.push(`Bad ${i},+48 000,`);
      kinds.push('bad');
    } else if (i % 40 === 39 && kinds[i - 1500] === 'person') {
      const phone = phoneNumber(phoneBase + i - 1500);
      lines.push(`Again ${i},${phone},again`);
      names.set(phone, `Again ${i}`);
      kinds.push('again');
    } else {
      const phone = phoneNumber(phoneBase + i);
      lines.push(`Person ${i},${phone},${i % 2 ? 'odd' : 'even'}`);
      names.set(phone, `Person ${i}`);
      kinds.push('person');
    }
  }
  const count = (kind: string) => kinds.filter((k) => k === kind).length;
  return {
    csv: lines.join('\n'),
    created: count('person'),
    updated: count('again'),
    failed: count('bad'),
    /** Spreadsheet rows of the failing rows. */
    failedRows: kinds.flatMap((kind, i) => (kind === 'bad' ? [i + 2] : [])),
    names,
  };
}

/** phone → name of every contact of the caller's tenant. */
export async function namesByPhone(headers: Headers, url?: string): Promise<Map<string, string>> {
  const contacts = await listAllContacts(headers, url);
  const names = new Map(
    contacts.map((c) => [c.identities.map((i) => i.metadata.phoneNumber).join(' '), c.name ?? '']),
  );
  expect(names.size).toBe(contacts.length);
  return names;
}

/**
 * Rows the database holds for a tenant's imports (import records and stored file chunks),
 * read directly: an upload refused "with nothing stored" must leave none.
 */
export async function storedImportRows(
  tenantId: string,
  databaseUrl = process.env.E2E_SQLITE_URL,
): Promise<{ imports: number; chunks: number }> {
  const source =
    testTarget() === 'mariadb'
      ? new DataSource({ type: 'mysql', url: process.env.TEST_DATABASE_URL })
      : new DataSource({
          type: 'better-sqlite3',
          database: (databaseUrl ?? '').replace(/^sqlite:/, ''),
          readonly: true,
        });
  await source.initialize();
  try {
    const count = async (table: string) => {
      const rows: { n: number | string }[] = await source.query(
        `SELECT COUNT(*) AS n FROM ${table} WHERE tenant_id = ?`,
        [tenantId],
      );
      return Number(rows[0].n);
    };
    return { imports: await count('imports'), chunks: await count('import_file_chunks') };
  } finally {
    await source.destroy();
  }
}
