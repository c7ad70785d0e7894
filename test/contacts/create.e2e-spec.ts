import { api, expectProblem } from '../support/api';
import {
  CONTACT_ID,
  CONTACT_KEYS,
  errorFields,
  Contact,
  Field,
  IDENTITY_ID,
  ISO_MS,
  TestTenant,
} from '../support/contacts';

describe('POST /v1/contacts', () => {
  const tenant = new TestTenant();
  let stage: Field;
  let renewal: Field;

  const create = (body: object) => api().post('/v1/contacts').set(tenant.headers()).send(body);

  beforeAll(async () => {
    stage = await tenant.createField('Lifecycle stage');
    renewal = await tenant.createField('Renewal date', 'date');
  });

  it('creates a contact with name, phone and custom fields and returns its full shape', async () => {
    const response = await create({
      name: 'Anna Kowalska',
      phone: '+48123456789',
      customFields: { lifecycleStage: 'lead', cf_renewal_date: '2026-05-01', email: 'a@x.pl' },
    }).expect(201);
    const contact = response.body as Contact;

    expect(Object.keys(contact).sort()).toEqual(CONTACT_KEYS);
    expect(contact.id).toMatch(CONTACT_ID);
    expect(contact).toMatchObject({
      tenantId: tenant.id,
      name: 'Anna Kowalska',
      tagIds: [],
      archivedAt: null,
      // keyed by field key, whether the body named the field by key or by id
      customFields: { lifecycleStage: 'lead', renewalDate: '2026-05-01', email: 'a@x.pl' },
    });
    expect(Object.keys(contact.customFields).sort()).toEqual([
      'email',
      'lifecycleStage',
      'renewalDate',
    ]);
    expect(contact.createdAt).toMatch(ISO_MS);
    expect(contact.updatedAt).toBe(contact.createdAt);
    expect(Math.abs(Date.parse(contact.createdAt) - Date.now())).toBeLessThan(60_000);

    expect(contact.identities).toHaveLength(1);
    const [identity] = contact.identities;
    expect(Object.keys(identity).sort()).toEqual(['channel', 'id', 'metadata']);
    expect(identity.id).toMatch(IDENTITY_ID);
    expect(identity).toEqual({
      id: identity.id,
      channel: 'whatsapp',
      metadata: { phoneNumber: '+48123456789' },
    });

    // What was stored is what was returned.
    expect(await tenant.getContact(contact.id)).toEqual(contact);
  });

  it('creates contacts from a name only, a phone only or a field value only', async () => {
    const named = (await create({ name: 'Only Name' }).expect(201)).body as Contact;
    expect(named).toMatchObject({ name: 'Only Name', identities: [], customFields: {} });

    const phoned = (await create({ phone: '+48500100200' }).expect(201)).body as Contact;
    expect(phoned.name).toBeNull();
    expect(phoned.identities.map((i) => i.metadata.phoneNumber)).toEqual(['+48500100200']);

    const fielded = (await create({ customFields: { lifecycleStage: 'x' } }).expect(201))
      .body as Contact;
    expect(fielded).toMatchObject({
      name: null,
      identities: [],
      customFields: { lifecycleStage: 'x' },
    });
    expect(new Set([named.id, phoned.id, fielded.id]).size).toBe(3);
  });

  it('normalizes phone numbers to E.164', async () => {
    const cases: [string, string][] = [
      ['+48 123-456-780', '+48123456780'],
      ['+48 (12) 345.67.81', '+48123456781'],
      ['  +1 415 555 2671 ', '+14155552671'],
    ];
    for (const [input, normalized] of cases) {
      const contact = (await create({ phone: input }).expect(201)).body as Contact;
      expect(contact.identities[0].metadata.phoneNumber).toBe(normalized);
      expect((await tenant.getContact(contact.id)).identities[0].metadata.phoneNumber).toBe(
        normalized,
      );
    }
  });

  it.each(['abc', '123456789', '0048123456789', '+48 12', '+48 123 456 789 123 4', '+999123456'])(
    'rejects the invalid phone %p with 422 naming phone',
    async (phone) => {
      const problem = expectProblem(await create({ name: 'X', phone }), 422, 'VALIDATION_FAILED');
      expect(errorFields(problem)).toEqual(['phone']);
    },
  );

  it('treats "" and null custom field values as unset', async () => {
    const contact = (
      await create({
        name: 'Partly set',
        customFields: { lifecycleStage: '', cf_renewal_date: null, email: 'p@x.pl' },
      }).expect(201)
    ).body as Contact;
    expect(contact.customFields).toEqual({ email: 'p@x.pl' });
    expect((await tenant.getContact(contact.id)).customFields).toEqual({ email: 'p@x.pl' });
  });

  it.each([
    ['an empty body', {}],
    ['a blank name', { name: '   ' }],
    ['only empty values', { name: null, phone: '', customFields: { email: '', phone: null } }],
  ])('refuses %s with 422', async (_label, body) => {
    const problem = expectProblem(await create(body), 422, 'VALIDATION_FAILED');
    expect(problem.errors.length).toBeGreaterThan(0);
  });

  it('accepts a 255-character name and refuses 256 characters', async () => {
    await create({ name: 'n'.repeat(255) }).expect(201);
    const problem = expectProblem(
      await create({ name: 'n'.repeat(256) }),
      422,
      'VALIDATION_FAILED',
    );
    expect(errorFields(problem)).toEqual(['name']);
  });

  it.each([
    ['name', { name: 42 }],
    ['phone', { name: 'X', phone: 48123456789 }],
    ['customFields', { name: 'X', customFields: 'lead' }],
    ['customFields.lifecycleStage', { name: 'X', customFields: { lifecycleStage: 7 } }],
  ])('refuses a wrongly typed %s with 422', async (field, body) => {
    const problem = expectProblem(await create(body), 422, 'VALIDATION_FAILED');
    expect(errorFields(problem)).toContain(field);
  });

  it('refuses an unknown attribute with 422 naming it', async () => {
    const problem = expectProblem(
      await create({ name: 'X', email: 'x@y.pl' }),
      422,
      'VALIDATION_FAILED',
    );
    expect(errorFields(problem)).toEqual(['email']);
  });

  it('refuses an unknown custom field with 422 naming customFields.<key>', async () => {
    const problem = expectProblem(
      await create({ name: 'X', customFields: { favouriteColour: 'red' } }),
      422,
      'VALIDATION_FAILED',
    );
    expect(errorFields(problem)).toEqual(['customFields.favouriteColour']);
  });

  it('refuses a property field on a contact with 422', async () => {
    const property = await tenant.createField('Property only region', 'text', 'properties');
    const problem = expectProblem(
      await create({ name: 'X', customFields: { [property.key]: 'north' } }),
      422,
    );
    expect(errorFields(problem)).toEqual([`customFields.${property.key}`]);
  });

  it('names every offending field in one 422', async () => {
    const problem = expectProblem(
      await create({
        name: 'X',
        phone: 'not a phone',
        customFields: { nope: 'x', email: 'not-an-email', renewalDate: '2026-02-30' },
      }),
      422,
      'VALIDATION_FAILED',
    );
    expect(errorFields(problem)).toEqual([
      'customFields.email',
      'customFields.nope',
      'customFields.renewalDate',
      'phone',
    ]);
    for (const error of problem.errors) expect(error.message).toEqual(expect.any(String));
  });

  it('requires cf_email values to be email addresses', async () => {
    for (const email of ['anna', 'anna@', '@x.pl', 'anna at x.pl']) {
      const problem = expectProblem(await create({ customFields: { email } }), 422);
      expect(errorFields(problem)).toEqual(['customFields.email']);
    }
    const contact = (await create({ customFields: { cf_email: 'Anna.K@Example.com' } }).expect(201))
      .body as Contact;
    expect(contact.customFields).toEqual({ email: 'Anna.K@Example.com' });
  });

  it('normalizes cf_phone values to E.164 and refuses invalid ones', async () => {
    const contact = (await create({ customFields: { phone: '+48 600-700-800' } }).expect(201))
      .body as Contact;
    expect(contact.customFields).toEqual({ phone: '+48600700800' });
    const problem = expectProblem(await create({ customFields: { cf_phone: '12345' } }), 422);
    expect(errorFields(problem)).toEqual(['customFields.cf_phone']);
  });

  it('requires date fields to hold real calendar dates', async () => {
    for (const value of ['2026-02-30', '2026-13-01', '2026-2-3', '01/05/2026', 'tomorrow']) {
      const problem = expectProblem(
        await create({ name: 'X', customFields: { [renewal.key]: value } }),
        422,
      );
      expect(errorFields(problem)).toEqual([`customFields.${renewal.key}`]);
    }
    const leap = (await create({ customFields: { [renewal.id]: '2028-02-29' } }).expect(201))
      .body as Contact;
    expect(leap.customFields).toEqual({ renewalDate: '2028-02-29' });
  });

  it('accepts text values up to 1000 characters', async () => {
    const contact = (await create({ customFields: { [stage.key]: 't'.repeat(1000) } }).expect(201))
      .body as Contact;
    expect(contact.customFields.lifecycleStage).toHaveLength(1000);
    const problem = expectProblem(
      await create({ customFields: { [stage.key]: 't'.repeat(1001) } }),
      422,
    );
    expect(errorFields(problem)).toEqual([`customFields.${stage.key}`]);
  });

  it('answers malformed JSON with 400', async () => {
    const response = await api()
      .post('/v1/contacts')
      .set(tenant.headers())
      .set('Content-Type', 'application/json')
      .send('{"name": ');
    expectProblem(response, 400);
  });

  describe('one live contact per WhatsApp phone', () => {
    const phones = new TestTenant();
    const createIn = (body: object) => api().post('/v1/contacts').set(phones.headers()).send(body);

    it('refuses a duplicate phone with 409 naming the existing contact', async () => {
      const first = await phones.createContact({ name: 'First', phone: '+48 601 000 001' });
      for (const phone of ['+48601000001', '+48 601-000-001']) {
        const problem = expectProblem(
          await createIn({ name: 'Second', phone }),
          409,
          'PHONE_ALREADY_EXISTS',
        );
        expect(problem.conflictingContactId).toBe(first.id);
      }
      expect(await phones.listIds({ search: '601000001' })).toEqual([first.id]);
    });

    it('keeps an archived contact holding its phone', async () => {
      const archived = await phones.createContact({ phone: '+48601000002' });
      await phones.archive(archived.id);
      const problem = expectProblem(
        await createIn({ phone: '+48601000002' }),
        409,
        'PHONE_ALREADY_EXISTS',
      );
      expect(problem.conflictingContactId).toBe(archived.id);
    });

    it('frees the phone when the contact is deleted', async () => {
      const old = await phones.createContact({ name: 'Old', phone: '+48601000003' });
      await phones.deleteContact(old.id);
      const fresh = await phones.createContact({ name: 'New', phone: '+48601000003' });
      expect(fresh.id).not.toBe(old.id);
      expect(fresh.identities[0].metadata.phoneNumber).toBe('+48601000003');
      expect(fresh.identities[0].id).not.toBe(old.identities[0].id);
      // …and the new holder now blocks further duplicates.
      const problem = expectProblem(await createIn({ phone: '+48601000003' }), 409);
      expect(problem.conflictingContactId).toBe(fresh.id);
    });

    it('lets exactly one of two concurrent creates of one phone through', async () => {
      for (let round = 0; round < 5; round++) {
        const phone = `+4860200000${round}`;
        const responses = await Promise.all([
          createIn({ name: `A${round}`, phone }),
          createIn({ name: `B${round}`, phone }),
        ]);
        const statuses = responses.map((r) => r.status).sort();
        expect(statuses).toEqual([201, 409]);
        const created = responses.find((r) => r.status === 201)!.body as Contact;
        const refused = expectProblem(
          responses.find((r) => r.status === 409)!,
          409,
          'PHONE_ALREADY_EXISTS',
        );
        expect(refused.conflictingContactId).toBe(created.id);
        expect(await phones.listIds({ search: phone })).toEqual([created.id]);
      }
    });
  });
});
