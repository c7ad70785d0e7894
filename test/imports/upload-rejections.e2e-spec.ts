import { api, as, expectProblem, newTenantId } from '../support/api';
import { backendEnv, freshSqliteUrl } from '../support/backend';
import { createField, postCsv, storedImportRows } from '../support/imports';
import { RunningServer, startServer } from '../support/server';
import { testTarget } from '../support/test-target';

/** Nothing of a refused upload may remain: no contact, no tag, no import record, no file chunk. */
async function expectNothingStored(
  tenantId: string,
  options: { url?: string; databaseUrl?: string } = {},
) {
  const headers = as(tenantId);
  const contacts = await api(options.url).get('/v1/contacts').set(headers).expect(200);
  expect(contacts.body.contacts).toEqual([]);
  const tags = await api(options.url).get('/v1/tags').set(headers).expect(200);
  expect(tags.body.tags).toEqual([]);
  expect(await storedImportRows(tenantId, options.databaseUrl)).toEqual({ imports: 0, chunks: 0 });
}

const VALID_CSV = 'name,phone\nAnna,+48516000001\n';

describe('CSV import: refused uploads', () => {
  it('refuses a multipart body without a file part (400) and stores nothing', async () => {
    const tenant = newTenantId();
    const response = await api()
      .post('/v1/contacts/import')
      .set(as(tenant))
      .field('note', 'no file here');
    expectProblem(response, 400, 'FILE_REQUIRED');

    const otherName = await api()
      .post('/v1/contacts/import')
      .set(as(tenant))
      .attach('upload', Buffer.from(VALID_CSV), 'contacts.csv');
    expectProblem(otherName, 400, 'FILE_REQUIRED');
    await expectNothingStored(tenant);
  });

  it.each([
    ['an empty file', Buffer.alloc(0)],
    ['a file holding only a BOM', Buffer.from([0xef, 0xbb, 0xbf])],
    ['a file of blank lines', Buffer.from('\n\r\n\n')],
  ])('refuses %s (400) and stores nothing', async (_what, content) => {
    const tenant = newTenantId();
    const response = await postCsv(as(tenant), content);
    expect(expectProblem(response, 400).code).toMatch(/^[A-Z_]+$/);
    await expectNothingStored(tenant);
  });

  it('refuses a PDF (400) and stores nothing', async () => {
    const tenant = newTenantId();
    const binary = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 37 + 11) % 256));
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1'), binary]);
    const response = await postCsv(as(tenant), pdf, {
      filename: 'invoice.pdf',
      contentType: 'application/pdf',
    });
    expectProblem(response, 400, 'INVALID_CSV_FILE');
    await expectNothingStored(tenant);
  });

  it('refuses binary content that is not a PDF (400) and stores nothing', async () => {
    const tenant = newTenantId();
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]),
      Buffer.from('IHDR'),
    ]);
    expectProblem(await postCsv(as(tenant), png), 400, 'INVALID_CSV_FILE');
    await expectNothingStored(tenant);
  });

  it('refuses invalid UTF-8, also after a valid header (400) and stores nothing', async () => {
    const tenant = newTenantId();
    // "José" in Latin-1: 0xE9 is not valid UTF-8.
    const latin1 = Buffer.from('name,phone\nJos\xe9,+48516000002\n', 'latin1');
    expectProblem(await postCsv(as(tenant), latin1), 400, 'INVALID_CSV_FILE');
    // Invalid bytes far from the start, after rows that would import fine.
    const rows = Array.from({ length: 3000 }, (_, i) => `Row ${i},`).join('\n');
    const late = Buffer.concat([
      Buffer.from(`name,phone\n${rows}\n`),
      Buffer.from([0xc3, 0x28]),
      Buffer.from(',\n'),
    ]);
    expectProblem(await postCsv(as(tenant), late), 400, 'INVALID_CSV_FILE');
    await expectNothingStored(tenant);
  });

  it('refuses a header with no recognized column (400) and stores nothing', async () => {
    const tenant = newTenantId();
    const response = await postCsv(as(tenant), 'first name,mobile,notes\nAnna,+48516000003,x\n');
    expectProblem(response, 400, 'NO_RECOGNIZED_COLUMNS');
    await expectNothingStored(tenant);
  });

  it.each([
    ['email,Email', 'email,Email\na@example.com,b@example.com\n'],
    ['a padded repeat', 'name, NAME ,phone\nA,B,+48516000004\n'],
    ['phone;Phone', 'phone;Phone\n+48516000005;+48516000006\n'],
    ['email by key and by id', 'name,email,cf_email\nA,a@example.com,b@example.com\n'],
    ['an unrecognized column, twice', 'name,Notes,notes\nA,x,y\n'],
  ])('refuses a column named twice (%s) (400) and stores nothing', async (_what, csv) => {
    const tenant = newTenantId();
    expectProblem(await postCsv(as(tenant), csv), 400, 'DUPLICATE_COLUMN');
    await expectNothingStored(tenant);
  });

  it('accepts several blank headers, as spreadsheets leave after the last column', async () => {
    const tenant = newTenantId();
    const response = await postCsv(as(tenant), 'name,phone,,\nAnna,+48516000007,,\n');
    expect(response.status).toBe(202);
  });

  it('refuses a custom field named twice, by name and by key (400)', async () => {
    const tenant = newTenantId();
    await createField(as(tenant), 'Lifecycle Stage', 'text');
    const csv = 'name,Lifecycle Stage,lifecycleStage\nA,lead,customer\n';
    expectProblem(await postCsv(as(tenant), csv), 400, 'DUPLICATE_COLUMN');
    await expectNothingStored(tenant);
  });

  it('refuses a request that is not multipart (415)', async () => {
    const tenant = newTenantId();
    const csv = await api()
      .post('/v1/contacts/import')
      .set(as(tenant))
      .set('Content-Type', 'text/csv')
      .send(VALID_CSV);
    expectProblem(csv, 415);
    const json = await api().post('/v1/contacts/import').set(as(tenant)).send({ file: VALID_CSV });
    expectProblem(json, 415);
    await expectNothingStored(tenant);
  });

  it('answers a malformed multipart body with 400', async () => {
    const tenant = newTenantId();
    const response = await api()
      .post('/v1/contacts/import')
      .set(as(tenant))
      .set('Content-Type', 'multipart/form-data')
      .send('--x\r\nnot really multipart');
    expectProblem(response, 400);
    await expectNothingStored(tenant);
  });

  it('needs a token (401) and the contact:create scope (403)', async () => {
    const tenant = newTenantId();
    const anonymous = await api()
      .post('/v1/contacts/import')
      .attach('file', Buffer.from(VALID_CSV), 'contacts.csv');
    expectProblem(anonymous, 401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer/);

    const scopes = ['contact:list', 'contact:read', 'contact:update', 'tag:create'];
    const listOnly = await postCsv(as(tenant, { scopes }), VALID_CSV);
    expectProblem(listOnly, 403);
    await expectNothingStored(tenant);

    // Each role may import, given the scope.
    for (const role of ['owner', 'admin', 'agent']) {
      const allowed = await postCsv(as(tenant, { role, scopes: ['contact:create'] }), VALID_CSV);
      expect(allowed.status).toBe(202);
    }
    // The check that found nothing above does see stored uploads.
    expect((await storedImportRows(tenant)).imports).toBe(3);
  });

  describe('with IMPORT_MAX_BYTES=1000', () => {
    let server: RunningServer;
    // On the embedded database the extra server gets a file of its own: two processes running
    // in-process queues over one SQLite file would both pick up the shared server's imports.
    // On MariaDB it runs the API only, so that it takes no other test's import off the queue.
    const embedded = testTarget() === 'embedded';
    const databaseUrl = embedded ? freshSqliteUrl() : undefined;

    beforeAll(async () => {
      server = await startServer({
        ...backendEnv(),
        ...(embedded ? { DATABASE_URL: databaseUrl } : { PROCESS_ROLE: 'api' }),
        IMPORT_MAX_BYTES: '1000',
      });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('refuses a file over the limit (413) and stores nothing', async () => {
      const tenant = newTenantId();
      const rows = Array.from({ length: 250 }, (_, i) => `Contact ${i},+4851700${i + 1000}`);
      const csv = `name,phone\n${rows.join('\n')}\n`;
      expect(csv.length).toBeGreaterThan(5000);
      const response = await postCsv(as(tenant), csv, { url: server.url });
      expectProblem(response, 413, 'UPLOAD_TOO_LARGE');
      await expectNothingStored(tenant, { url: server.url, databaseUrl });
    });

    it('accepts a file within the limit', async () => {
      const tenant = newTenantId();
      const csv = 'name,phone\nSmall,+48517000001\n';
      const response = await postCsv(as(tenant), csv, { url: server.url });
      expect(response.status).toBe(202);
    });
  });
});
