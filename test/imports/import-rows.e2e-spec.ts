import { api, as, newTenantId } from '../support/api';
import {
  Contact,
  createField,
  importCsv,
  listAllContacts,
  listTags,
  TIMESTAMP,
} from '../support/imports';

const BOM = '\uFEFF';
const PHONE_ERROR = 'must be a valid E.164 phone number';
const DATE_ERROR = 'must be a calendar date (YYYY-MM-DD)';
const EMAIL_ERROR = 'must be an email address';

const byName = (contacts: Contact[]) => new Map(contacts.map((c) => [c.name, c]));
const phonesOf = (contact: Contact | undefined) =>
  contact?.identities.map((i) => [i.channel, i.metadata.phoneNumber]);

describe('CSV import: what rows do', () => {
  it('imports a mixed ;-delimited file with a BOM: exact counts, row errors and the right contacts, tags and values', async () => {
    const tenant = newTenantId();
    const admin = as(tenant);
    const importer = as(tenant, { sub: 'usr_importer' });

    const renewal = await createField(admin, 'Renewal Date', 'date');
    const stage = await createField(admin, 'Lifecycle Stage', 'text');
    const store = await createField(admin, 'Store', 'text');
    expect([renewal.key, stage.key, store.key]).toEqual(['renewalDate', 'lifecycleStage', 'store']);
    expect(store.id).toBe('cf_store');

    const vip = await api().post('/v1/tags').set(admin).send({ name: 'VIP' }).expect(201);
    const anna = await api()
      .post('/v1/contacts')
      .set(admin)
      .send({
        name: 'Anna Existing',
        phone: '+48512000001',
        customFields: { lifecycleStage: 'lead', store: 'Krakow' },
      })
      .expect(201);
    const bob = await api()
      .post('/v1/contacts')
      .set(admin)
      .send({
        name: 'Bob Existing',
        customFields: { email: 'Bob.Smith@Example.com', lifecycleStage: 'lead' },
      })
      .expect(201);

    // Columns: by name (any case), by key (upper-cased), by id (padded), by field name
    // (lower-cased); Notes and Source are unknown. Rows are CRLF-terminated; row 7 spans two
    // physical lines but is one spreadsheet row.
    const lines = [
      'Name;PHONE;Email;Tags;LIFECYCLESTAGE; cf_store ;renewal date;Notes;Source',
      /*  2 */ 'Carol New;+48 512-000-002;carol@example.com;"vip|Newcomer";customer;Warsaw;2026-05-01;"note, with comma";web',
      /*  3 */ 'Dan Badphone;12345;;;;;;;',
      /*  4 */ 'Eve Baddate;+48512000004;;;;;2026-02-30;;',
      /*  5 */ 'Anna Updated;+48512000001;;"Gold; vip";;;;;',
      /*  6 */ ';;BOB.SMITH@example.COM;;customer;;2027-01-15;;',
      /*  7 */ '"Frank ""The Tank"" Jones";+48512000007;frank@example.com;;;"Gdansk; Poland, Pomerania";;"multi\r\nline; note";',
      /*  8 */ 'Carol Again;+48512000002;;NEWCOMER;lead;;;;',
      /*  9 */ 'Gina Wrongcells;+48512000009;gina@example.com',
      /* 10 */ 'Hank Both;+48 (512) 000 010;;;;;2026-12-31;;',
      /* 11 */ ';;;;;;;only a note;',
      /* 12 */ 'Ivy Threeerrors;999;ivy@;;;;not-a-date;;',
      /* 13 */ 'Jack Tags; +48512000013 ;JACK@example.com;" alpha ; Beta|gamma ";;;;;',
    ];
    const status = await importCsv(importer, BOM + lines.join('\r\n') + '\r\n');

    expect(status).toEqual({
      importId: expect.any(String),
      status: 'completed',
      totalRows: 12,
      processedRows: 12,
      successCount: 7,
      createdCount: 4,
      updatedCount: 3,
      failedCount: 5,
      errors: [
        { row: 3, column: 'PHONE', message: PHONE_ERROR },
        { row: 4, column: 'renewal date', message: DATE_ERROR },
        { row: 9, column: null, message: expect.any(String) },
        { row: 11, column: null, message: expect.any(String) },
        { row: 12, column: 'PHONE', message: PHONE_ERROR },
        { row: 12, column: 'Email', message: EMAIL_ERROR },
        { row: 12, column: 'renewal date', message: DATE_ERROR },
      ],
      errorsTruncated: false,
      ignoredColumns: ['Notes', 'Source'],
      createdAt: expect.stringMatching(TIMESTAMP),
      startedAt: expect.stringMatching(TIMESTAMP),
      completedAt: expect.stringMatching(TIMESTAMP),
    });
    const times = [status.createdAt, status.startedAt!, status.completedAt!].map(Date.parse);
    expect(times[0]).toBeLessThanOrEqual(times[1]);
    expect(times[1]).toBeLessThanOrEqual(times[2]);
    expect(times[2]).toBeLessThanOrEqual(Date.now() + 5_000);
    expect(times[0]).toBeGreaterThan(Date.now() - 120_000);

    const tags = await listTags(admin);
    expect(tags.map((t) => t.name)).toEqual(['alpha', 'Beta', 'gamma', 'Gold', 'Newcomer', 'VIP']);
    const tag = Object.fromEntries(tags.map((t) => [t.name, t]));
    expect(tag.VIP.id).toBe(vip.body.id);
    expect(tag.VIP).toMatchObject({ createdBy: 'usr_e2e', labeledCount: 2 });
    for (const name of ['alpha', 'Beta', 'gamma', 'Gold', 'Newcomer']) {
      expect(tag[name]).toMatchObject({ createdBy: 'usr_importer', labeledCount: 1 });
    }
    const tagIds = (...names: string[]) => names.map((n) => tag[n].id).sort();

    const contacts = await listAllContacts(admin);
    expect(contacts.map((c) => c.name).sort()).toEqual([
      'Anna Updated',
      'Bob Existing',
      'Carol Again',
      'Frank "The Tank" Jones',
      'Hank Both',
      'Jack Tags',
    ]);
    const contact = byName(contacts);

    // Row 5 matched Anna by phone: new name and tags, her other values untouched.
    const annaNow = contact.get('Anna Updated')!;
    expect(annaNow.id).toBe(anna.body.id);
    expect(phonesOf(annaNow)).toEqual([['whatsapp', '+48512000001']]);
    expect(annaNow.customFields).toEqual({ lifecycleStage: 'lead', store: 'Krakow' });
    expect([...annaNow.tagIds].sort()).toEqual(tagIds('Gold', 'VIP'));

    // Row 6 matched Bob by email, case-insensitively; his name stays, the cells it had are set.
    const bobNow = contact.get('Bob Existing')!;
    expect(bobNow.id).toBe(bob.body.id);
    expect(bobNow.identities).toEqual([]);
    expect(bobNow.customFields).toEqual({
      email: 'BOB.SMITH@example.COM',
      lifecycleStage: 'customer',
      renewalDate: '2027-01-15',
    });
    expect(bobNow.tagIds).toEqual([]);

    // Rows 2 and 8: one contact, created then updated by its repeated phone.
    const carol = contact.get('Carol Again')!;
    expect(phonesOf(carol)).toEqual([['whatsapp', '+48512000002']]);
    expect(carol.customFields).toEqual({
      email: 'carol@example.com',
      lifecycleStage: 'lead',
      store: 'Warsaw',
      renewalDate: '2026-05-01',
    });
    expect([...carol.tagIds].sort()).toEqual(tagIds('Newcomer', 'VIP'));

    const frank = contact.get('Frank "The Tank" Jones')!;
    expect(phonesOf(frank)).toEqual([['whatsapp', '+48512000007']]);
    expect(frank.customFields).toEqual({
      email: 'frank@example.com',
      store: 'Gdansk; Poland, Pomerania',
    });
    expect(frank.tagIds).toEqual([]);

    const hank = contact.get('Hank Both')!;
    expect(phonesOf(hank)).toEqual([['whatsapp', '+48512000010']]);
    expect(hank.customFields).toEqual({ renewalDate: '2026-12-31' });

    const jack = contact.get('Jack Tags')!;
    expect(phonesOf(jack)).toEqual([['whatsapp', '+48512000013']]);
    expect(jack.customFields).toEqual({ email: 'JACK@example.com' });
    expect([...jack.tagIds].sort()).toEqual(tagIds('alpha', 'Beta', 'gamma'));

    // Created contacts are ordinary contacts: found by the identities and values they got.
    const found = await api()
      .get('/v1/contacts')
      .query({ search: '512000013' })
      .set(admin)
      .expect(200);
    expect((found.body.contacts as Contact[]).map((c) => c.id)).toEqual([jack.id]);
    const count = await api().get('/v1/contacts/count').set(admin).expect(200);
    expect(count.body).toEqual({ totalSize: 6 });
  });

  it('reads a ,-delimited file: quoted commas, doubled quotes, line breaks in cells, tags split inside quotes', async () => {
    const tenant = newTenantId();
    const headers = as(tenant);
    const csv = [
      'name,phone,tags,email',
      '"Smith, John",+48513000001,"a;b|c",john@example.com',
      '"Line',
      'Break",+48513000002,,',
      '"Quote ""Q"" Person",,"a",q@example.com',
      'No Newline At End,+48513000004,B,',
    ].join('\n');
    const status = await importCsv(headers, csv);
    expect(status).toMatchObject({
      totalRows: 4,
      successCount: 4,
      createdCount: 4,
      updatedCount: 0,
      failedCount: 0,
      errors: [],
      errorsTruncated: false,
      ignoredColumns: [],
    });
    const tags = await listTags(headers);
    expect(tags.map((t) => [t.name, t.labeledCount])).toEqual([
      ['a', 2],
      ['b', 2],
      ['c', 1],
    ]);
    const contact = byName(await listAllContacts(headers));
    expect([...contact.keys()].sort()).toEqual([
      'Line\nBreak',
      'No Newline At End',
      'Quote "Q" Person',
      'Smith, John',
    ]);
    expect(phonesOf(contact.get('Smith, John'))).toEqual([['whatsapp', '+48513000001']]);
    expect(contact.get('Smith, John')!.customFields).toEqual({ email: 'john@example.com' });
    expect(contact.get('Smith, John')!.tagIds).toHaveLength(3);
    expect(phonesOf(contact.get('Line\nBreak'))).toEqual([['whatsapp', '+48513000002']]);
    expect(contact.get('Quote "Q" Person')!.identities).toEqual([]);
    expect(contact.get('Quote "Q" Person')!.customFields).toEqual({ email: 'q@example.com' });
  });

  it('reports the wrong number of cells (broken quoting) as a row error and goes on', async () => {
    const headers = as(newTenantId());
    const csv = [
      'name,phone',
      'Ok One,+48514000001',
      'Too,Many,Cells',
      'Too Few',
      'Ok Two,+48514000002',
      '"Unterminated,+48514000003',
    ].join('\n');
    const status = await importCsv(headers, csv);
    expect(status).toMatchObject({
      totalRows: 5,
      successCount: 2,
      createdCount: 2,
      failedCount: 3,
      errors: [
        { row: 3, column: null, message: expect.any(String) },
        { row: 4, column: null, message: expect.any(String) },
        { row: 6, column: null, message: expect.any(String) },
      ],
    });
    const contacts = await listAllContacts(headers);
    expect(contacts.map((c) => c.name).sort()).toEqual(['Ok One', 'Ok Two']);
  });

  it('matches live contacts only: an archived one is updated, a deleted one is not', async () => {
    const headers = as(newTenantId());
    const create = async (body: object) =>
      (await api().post('/v1/contacts').set(headers).send(body).expect(201)).body as Contact;
    const archived = await create({ name: 'Archived', phone: '+48519000001' });
    await api().post(`/v1/contacts/${archived.id}/archive`).set(headers).expect(204);
    const deleted = await create({
      name: 'Deleted',
      phone: '+48519000002',
      customFields: { email: 'gone@example.com' },
    });
    await api().delete(`/v1/contacts/${deleted.id}`).set(headers).expect(204);

    const csv = [
      'name,phone,email',
      'Archived Renamed,+48519000001,',
      'Back By Phone,+48519000002,',
      'Back By Email,,GONE@example.com',
    ].join('\n');
    const status = await importCsv(headers, csv);
    expect(status).toMatchObject({ createdCount: 2, updatedCount: 1, failedCount: 0 });

    const stillArchived = await api()
      .get('/v1/contacts')
      .query({ archived: true })
      .set(headers)
      .expect(200);
    expect((stillArchived.body.contacts as Contact[]).map((c) => [c.id, c.name])).toEqual([
      [archived.id, 'Archived Renamed'],
    ]);
    const live = await listAllContacts(headers);
    expect(live.map((c) => c.name).sort()).toEqual(['Back By Email', 'Back By Phone']);
    expect(live.map((c) => c.id)).not.toContain(deleted.id);
  });

  it('applies rows in file order: an email a row moved away no longer matches later rows', async () => {
    const headers = as(newTenantId());
    const create = async (name: string, phone: string, email: string) =>
      (
        await api()
          .post('/v1/contacts')
          .set(headers)
          .send({ name, phone, customFields: { email } })
          .expect(201)
      ).body as Contact;
    // Created in this order: Yvonne is the older holder of shared@.
    const yvonne = await create('Yvonne', '+48519000103', 'shared@example.com');
    const xavier = await create('Xavier', '+48519000101', 'old@example.com');
    const wanda = await create('Wanda', '+48519000102', 'shared@example.com');
    const csv = [
      'name,phone,email',
      ',+48519000101,new@example.com', // Xavier (by phone) leaves old@ for new@
      'Zed,,OLD@example.com', //          old@ belongs to nobody now: a new contact
      ',+48519000103,yvonne@example.com', // Yvonne leaves shared@
      'Wanda Again,,SHARED@example.com', // shared@ is Wanda's alone now
      'Xavier Again,,NEW@example.com', //   new@ is Xavier's
    ].join('\n');
    const status = await importCsv(headers, csv);
    expect(status).toMatchObject({ createdCount: 1, updatedCount: 4, failedCount: 0 });

    const who = new Map([
      [xavier.id, 'xavier'],
      [yvonne.id, 'yvonne'],
      [wanda.id, 'wanda'],
    ]);
    const contacts = await listAllContacts(headers);
    expect(
      contacts
        .map((c) => [who.get(c.id) ?? 'new', c.name, c.customFields.email])
        .sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
    ).toEqual([
      ['wanda', 'Wanda Again', 'SHARED@example.com'],
      ['xavier', 'Xavier Again', 'NEW@example.com'],
      ['yvonne', 'Yvonne', 'yvonne@example.com'],
      ['new', 'Zed', 'OLD@example.com'],
    ]);
  });

  it('validates lengths and reads only contact fields: property fields are unknown columns, cf_phone is normalized', async () => {
    const headers = as(newTenantId());
    await api()
      .post('/v1/properties/custom-fields')
      .set(headers)
      .send({ name: 'Region', type: 'text' })
      .expect(201);
    await createField(headers, 'Note', 'text');
    const long = (n: number) => 'x'.repeat(n);
    const csv = [
      'name,cf_phone,tags,Note,Region',
      `${long(255)},+48 519 000 010,${long(64)},${long(1000)},North`,
      `${long(256)},,,,`,
      `Long Tag,,"ok;${long(65)}",,`,
      `Long Note,,,${long(1001)},`,
      'Bad Field Phone,0048,,,',
    ].join('\n');
    const status = await importCsv(headers, csv);
    expect(status).toMatchObject({
      totalRows: 5,
      createdCount: 1,
      failedCount: 4,
      ignoredColumns: ['Region'],
      errors: [
        { row: 3, column: 'name', message: expect.any(String) },
        { row: 4, column: 'tags', message: expect.any(String) },
        { row: 5, column: 'Note', message: expect.any(String) },
        { row: 6, column: 'cf_phone', message: PHONE_ERROR },
      ],
    });
    const [contact] = await listAllContacts(headers);
    expect(contact.name).toBe(long(255));
    expect(contact.identities).toEqual([]);
    expect(contact.customFields).toEqual({ phone: '+48519000010', note: long(1000) });
    const tags = await listTags(headers);
    expect(tags.map((t) => t.name)).toEqual([long(64)]);
  });

  it('keeps the first 1000 row errors, by row, and says the list is truncated', async () => {
    const headers = as(newTenantId());
    // 2400 data rows over two batches: every third row is valid, the others have a bad phone.
    const rows = ['name,phone'];
    const failing: number[] = [];
    for (let i = 0; i < 2400; i++) {
      const row = i + 2;
      if (i % 3 === 0) rows.push(`Valid ${i},+4851500${String(i).padStart(4, '0')}`);
      else {
        rows.push(`Invalid ${i},not-a-phone-${i}`);
        failing.push(row);
      }
    }
    const status = await importCsv(headers, rows.join('\n') + '\n');
    expect(status).toMatchObject({
      totalRows: 2400,
      successCount: 800,
      createdCount: 800,
      updatedCount: 0,
      failedCount: 1600,
      errorsTruncated: true,
    });
    expect(status.errors).toHaveLength(1000);
    expect(status.errors).toEqual(
      failing.slice(0, 1000).map((row) => ({ row, column: 'phone', message: PHONE_ERROR })),
    );

    // Exactly 1000 errors are all there: nothing was left out.
    const exactly = Array.from({ length: 1000 }, (_, i) => `Invalid ${i},0${i}`);
    const full = await importCsv(headers, `name,phone\n${exactly.join('\n')}\n`);
    expect(full).toMatchObject({ totalRows: 1000, failedCount: 1000, errorsTruncated: false });
    expect(full.errors).toHaveLength(1000);
    expect(full.errors[999]).toEqual({ row: 1001, column: 'phone', message: PHONE_ERROR });
  });

  it('leaves a clean file with errorsTruncated false and a header-only file with zero rows', async () => {
    const headers = as(newTenantId());
    const empty = await importCsv(headers, 'name,phone\n');
    expect(empty).toMatchObject({
      status: 'completed',
      totalRows: 0,
      processedRows: 0,
      successCount: 0,
      failedCount: 0,
      errors: [],
      errorsTruncated: false,
    });
    expect(await listAllContacts(headers)).toEqual([]);
  });
});
