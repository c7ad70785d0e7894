import { api, as, expectProblem, newTenantId } from '../support/api';
import { errorFields, ISO_MS, sleep, ULID_FIELD_ID } from '../support/shapes';

type Entity = 'contact' | 'property';

interface Field {
  id: string;
  key: string;
  name: string;
  type: 'text' | 'date';
  createdAt: string;
  createdBy: string;
  predefined: boolean;
  entityType: Entity;
}

const FIELD_KEYS = [
  'createdAt',
  'createdBy',
  'entityType',
  'id',
  'key',
  'name',
  'predefined',
  'type',
];

const BASE: Record<Entity, string> = {
  contact: '/v1/contacts/custom-fields',
  property: '/v1/properties/custom-fields',
};

const OTHER: Record<Entity, Entity> = { contact: 'property', property: 'contact' };

const ENTITIES: Entity[] = ['contact', 'property'];

async function createField(
  tenantId: string,
  entity: Entity,
  name: string,
  type: 'text' | 'date' = 'text',
  sub?: string,
): Promise<Field> {
  const response = await api().post(BASE[entity]).set(as(tenantId, { sub })).send({ name, type });
  if (response.status !== 201) {
    throw new Error(
      `creating ${entity} field "${name}": ${response.status} ${JSON.stringify(response.body)}`,
    );
  }
  return response.body as Field;
}

async function listFields(tenantId: string, entity: Entity): Promise<Field[]> {
  const response = await api().get(BASE[entity]).set(as(tenantId)).expect(200);
  expect(Object.keys(response.body)).toEqual(['customFields']);
  return response.body.customFields as Field[];
}

const ids = (fields: Field[]) => fields.map((field) => field.id);

function patchField(tenantId: string, entity: Entity, id: string, body: object) {
  return api().patch(`${BASE[entity]}/${id}`).set(as(tenantId)).send(body);
}

function deleteField(tenantId: string, entity: Entity, id: string) {
  return api().delete(`${BASE[entity]}/${id}`).set(as(tenantId));
}

describe('predefined contact fields', () => {
  it('a brand-new tenant has exactly cf_email and cf_phone as contact fields', async () => {
    const fields = await listFields(newTenantId(), 'contact');
    expect(fields).toEqual([
      {
        id: 'cf_email',
        key: 'email',
        name: 'Email',
        type: 'text',
        createdAt: expect.stringMatching(ISO_MS),
        createdBy: expect.any(String),
        predefined: true,
        entityType: 'contact',
      },
      {
        id: 'cf_phone',
        key: 'phone',
        name: 'Phone',
        type: 'text',
        createdAt: expect.stringMatching(ISO_MS),
        createdBy: expect.any(String),
        predefined: true,
        entityType: 'contact',
      },
    ]);
    for (const field of fields) expect(Object.keys(field).sort()).toEqual(FIELD_KEYS);
  });

  it('a brand-new tenant has no property fields', async () => {
    expect(await listFields(newTenantId(), 'property')).toEqual([]);
  });

  it.each([
    ['cf_email', { name: 'E-mail address' }],
    ['cf_email', { type: 'date' }],
    ['cf_phone', { name: 'Mobile' }],
    ['cf_phone', { type: 'date' }],
    ['cf_phone', { name: 'Phone number', type: 'date' }],
  ])('refuses to change %s with %j: 409 PREDEFINED_FIELD', async (id, body) => {
    const tenantId = newTenantId();
    const before = await listFields(tenantId, 'contact');
    const response = await patchField(tenantId, 'contact', id, body);
    const problem = expectProblem(response, 409, 'PREDEFINED_FIELD');
    expect(problem.instance).toBe(`/v1/contacts/custom-fields/${id}`);
    expect(await listFields(tenantId, 'contact')).toEqual(before);
  });

  it.each(['cf_email', 'cf_phone'])('refuses to delete %s: 409 PREDEFINED_FIELD', async (id) => {
    const tenantId = newTenantId();
    expectProblem(await deleteField(tenantId, 'contact', id), 409, 'PREDEFINED_FIELD');
    expect(ids(await listFields(tenantId, 'contact'))).toEqual(['cf_email', 'cf_phone']);
  });

  it('takes the predefined names: "email" and " PHONE " are 409 on contacts', async () => {
    const tenantId = newTenantId();
    for (const name of ['email', ' PHONE ']) {
      const response = await api()
        .post(BASE.contact)
        .set(as(tenantId))
        .send({ name, type: 'text' });
      expectProblem(response, 409, 'CUSTOM_FIELD_NAME_TAKEN');
    }
  });

  it('does not exist on properties: cf_email is 404 there and "Email" is free', async () => {
    const tenantId = newTenantId();
    expectProblem(
      await patchField(tenantId, 'property', 'cf_email', { name: 'Mail' }),
      404,
      'CUSTOM_FIELD_NOT_FOUND',
    );
    expectProblem(
      await deleteField(tenantId, 'property', 'cf_phone'),
      404,
      'CUSTOM_FIELD_NOT_FOUND',
    );
    const email = await createField(tenantId, 'property', 'Email');
    expect(email).toMatchObject({ id: 'cf_email', predefined: false, entityType: 'property' });
  });
});

describe.each(ENTITIES)('%s field definitions', (entity) => {
  const base = BASE[entity];
  const predefinedIds = entity === 'contact' ? ['cf_email', 'cf_phone'] : [];

  describe(`POST ${base}`, () => {
    it('creates a definition with the documented shape', async () => {
      const tenantId = newTenantId();
      const before = Date.now();
      const response = await api()
        .post(base)
        .set(as(tenantId, { sub: 'usr_01HV8Y3K2R6G7K3F5B9N8M1Q0' }))
        .send({ name: 'Lifecycle stage', type: 'text' })
        .expect(201);
      const after = Date.now();

      expect(response.headers['content-type']).toMatch(/^application\/json/);
      const field = response.body as Field;
      expect(Object.keys(field).sort()).toEqual(FIELD_KEYS);
      expect(field).toEqual({
        id: 'cf_lifecycle_stage',
        key: 'lifecycleStage',
        name: 'Lifecycle stage',
        type: 'text',
        createdAt: expect.stringMatching(ISO_MS),
        createdBy: 'usr_01HV8Y3K2R6G7K3F5B9N8M1Q0',
        predefined: false,
        entityType: entity,
      });
      expect(Date.parse(field.createdAt)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(field.createdAt)).toBeLessThanOrEqual(after + 1000);
      expect(await listFields(tenantId, entity)).toEqual([
        ...(await listFields(newTenantId(), entity)),
        field,
      ]);
    });

    it('creates a date field', async () => {
      const field = await createField(newTenantId(), entity, 'Renewal date', 'date');
      expect(field).toMatchObject({ id: 'cf_renewal_date', key: 'renewalDate', type: 'date' });
    });

    it.each([
      ['Región', 'cf_region', 'region'],
      ['Lifecycle stage', 'cf_lifecycle_stage', 'lifecycleStage'],
      ['  Preferred   store! ', 'cf_preferred_store', 'preferredStore'],
      ['Renewal date (2026)', 'cf_renewal_date_2026', 'renewalDate2026'],
      ['Zażółć gęślą jaźń', 'cf_zazolc_gesla_jazn', 'zazolcGeslaJazn'],
      ['Straße', 'cf_strasse', 'strasse'],
    ])('derives the id from the name: %j → %s (key %s)', async (name, id, key) => {
      const field = await createField(newTenantId(), entity, name);
      expect(field.id).toBe(id);
      expect(field.key).toBe(key);
      expect(field.name).toBe(name.trim());
    });

    it('gives a taken slug _2, then _3', async () => {
      const tenantId = newTenantId();
      const first = await createField(tenantId, entity, 'Region');
      const second = await createField(tenantId, entity, 'Región!');
      const third = await createField(tenantId, entity, 'REGION?');
      expect([first.id, second.id, third.id]).toEqual(['cf_region', 'cf_region_2', 'cf_region_3']);
      expect([first.key, second.key, third.key]).toEqual(['region', 'region2', 'region3']);
      expect(ids(await listFields(tenantId, entity))).toEqual([
        ...predefinedIds,
        'cf_region',
        'cf_region_2',
        'cf_region_3',
      ]);
    });

    it('turns punctuation into word breaks in the slug', async () => {
      const tenantId = newTenantId();
      const followUp = await createField(tenantId, entity, 'Follow-up date');
      const research = await createField(tenantId, entity, 'R&D budget');
      expect([followUp.id, followUp.key]).toEqual(['cf_follow_up_date', 'followUpDate']);
      expect(research.id).toBe('cf_r_and_d_budget');
    });

    it('gives a name with no usable character a ULID-based id', async () => {
      const tenantId = newTenantId();
      const bangs = await createField(tenantId, entity, '!!!');
      const marks = await createField(tenantId, entity, '???');
      for (const field of [bangs, marks]) {
        expect(field.id).toMatch(ULID_FIELD_ID);
        expect(field.key).toBe(field.id.slice('cf_'.length));
      }
      expect(bangs.id).not.toBe(marks.id);
      expect(bangs.name).toBe('!!!');
    });

    it('accepts a 100-character name, and trims it', async () => {
      const tenantId = newTenantId();
      const name = 'n'.repeat(100);
      const field = await createField(tenantId, entity, `  ${name} `);
      expect(field.name).toBe(name);
      expect(field.id).toBe(`cf_${name}`);
    });

    it.each([
      ['dotted capitals', 'İ'.repeat(100)],
      ['ampersands (each slugs to "and")', '&'.repeat(100)],
      ['sharp s (each slugs to "ss")', 'ß'.repeat(100)],
      ['emoji', '😀'.repeat(100)],
    ])('accepts a 100-character name of %s', async (_case, name) => {
      const tenantId = newTenantId();
      const field = await createField(tenantId, entity, name);
      expect(field.name).toBe(name);
      expect(field.id).toMatch(/^cf_[a-z0-9_]+$/);
      // A second name with the same long slug still gets an id of its own.
      const similar = await createField(tenantId, entity, `${[...name].slice(0, -2).join('')}!!`);
      expect(similar.id).not.toBe(field.id);
      expect(ids(await listFields(tenantId, entity))).toEqual([
        ...predefinedIds,
        field.id,
        similar.id,
      ]);
    });

    it('never answers 5xx for a name at the length limit', async () => {
      // 100 hearts with variation selectors: 100 symbols, 200 code points.
      const response = await api()
        .post(base)
        .set(as(newTenantId()))
        .send({ name: '❤️'.repeat(100), type: 'text' });
      expect([201, 422]).toContain(response.status);
    });

    it.each([
      ['exactly the same', 'Region'],
      ['in another case', 'region'],
      ['with spaces around it', '  REGION  '],
    ])('409 CUSTOM_FIELD_NAME_TAKEN for a name already used, %s', async (_case, duplicate) => {
      const tenantId = newTenantId();
      await createField(tenantId, entity, 'Region');
      const response = await api()
        .post(base)
        .set(as(tenantId))
        .send({ name: duplicate, type: 'date' });
      const problem = expectProblem(response, 409, 'CUSTOM_FIELD_NAME_TAKEN');
      expect(problem.instance).toBe(base);
      expect(ids(await listFields(tenantId, entity))).toEqual([...predefinedIds, 'cf_region']);
    });

    it.each([
      ['a missing name', { type: 'text' }, ['name']],
      ['an empty name', { name: '', type: 'text' }, ['name']],
      ['a whitespace-only name', { name: '   ', type: 'text' }, ['name']],
      ['a 101-character name', { name: 'x'.repeat(101), type: 'text' }, ['name']],
      ['a number as name', { name: 7, type: 'text' }, ['name']],
      ['null as name', { name: null, type: 'text' }, ['name']],
      ['a missing type', { name: 'Region' }, ['type']],
      ['an unknown type', { name: 'Region', type: 'number' }, ['type']],
      ['a type in capitals', { name: 'Region', type: 'TEXT' }, ['type']],
      [
        'an unknown attribute',
        { name: 'Region', type: 'text', entityType: 'contact' },
        ['entityType'],
      ],
      ['nothing at all', {}, ['name', 'type']],
    ])('422 VALIDATION_FAILED for %s', async (_case, body, fields) => {
      const tenantId = newTenantId();
      const response = await api().post(base).set(as(tenantId)).send(body);
      const problem = expectProblem(response, 422, 'VALIDATION_FAILED');
      expect(errorFields(problem)).toEqual(fields);
      expect(ids(await listFields(tenantId, entity))).toEqual(predefinedIds);
    });
  });

  describe(`GET ${base}`, () => {
    it('lists predefined fields first, then by creation time', async () => {
      const tenantId = newTenantId();
      for (const name of ['Zeta', 'Mu', 'Alpha']) {
        await createField(tenantId, entity, name);
        await sleep(5);
      }
      expect(ids(await listFields(tenantId, entity))).toEqual([
        ...predefinedIds,
        'cf_zeta',
        'cf_mu',
        'cf_alpha',
      ]);
    });
  });

  describe(`PATCH ${base}/{id}`, () => {
    it('renames a field: id, key and creation stay', async () => {
      const tenantId = newTenantId();
      const field = await createField(tenantId, entity, 'Region', 'text', 'usr_creator');
      const response = await patchField(tenantId, entity, field.id, { name: 'Sales region' });
      expect(response.status).toBe(200);
      const renamed = response.body as Field;
      expect(Object.keys(renamed).sort()).toEqual(FIELD_KEYS);
      expect(renamed).toEqual({ ...field, name: 'Sales region' });
      expect(await listFields(tenantId, entity)).toEqual([
        ...(await listFields(newTenantId(), entity)),
        renamed,
      ]);
    });

    it('keeps the id taken after a rename: the old name gets a suffixed id', async () => {
      const tenantId = newTenantId();
      const field = await createField(tenantId, entity, 'Region');
      await patchField(tenantId, entity, field.id, { name: 'Territory' }).expect(200);
      const again = await createField(tenantId, entity, 'Region');
      expect(again.id).toBe('cf_region_2');
    });

    it('changes the type, and both at once', async () => {
      const tenantId = newTenantId();
      const field = await createField(tenantId, entity, 'Renewal');
      const retyped = await patchField(tenantId, entity, field.id, { type: 'date' }).expect(200);
      expect(retyped.body).toEqual({ ...field, type: 'date' });
      const both = await patchField(tenantId, entity, field.id, {
        name: 'Renewal note',
        type: 'text',
      }).expect(200);
      expect(both.body).toEqual({ ...field, name: 'Renewal note', type: 'text' });
    });

    it('accepts its own name in another case, and trims', async () => {
      const tenantId = newTenantId();
      const field = await createField(tenantId, entity, 'Region');
      const response = await patchField(tenantId, entity, field.id, { name: ' REGION ' });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ ...field, name: 'REGION' });
    });

    it("409 CUSTOM_FIELD_NAME_TAKEN for another field's name", async () => {
      const tenantId = newTenantId();
      await createField(tenantId, entity, 'Region');
      const tier = await createField(tenantId, entity, 'Tier');
      const response = await patchField(tenantId, entity, tier.id, { name: ' region' });
      expectProblem(response, 409, 'CUSTOM_FIELD_NAME_TAKEN');
      expect((await listFields(tenantId, entity)).find((f) => f.id === tier.id)?.name).toBe('Tier');
    });

    it.each([
      ['no attribute', {}, ['name']],
      ['an empty name', { name: '' }, ['name']],
      ['a whitespace-only name', { name: '  ' }, ['name']],
      ['a 101-character name', { name: 'y'.repeat(101) }, ['name']],
      ['a number as name', { name: 3 }, ['name']],
      ['an unknown type', { type: 'boolean' }, ['type']],
      ['an unknown attribute', { name: 'Ok', predefined: true }, ['predefined']],
    ])('422 VALIDATION_FAILED for %s', async (_case, body, fields) => {
      const tenantId = newTenantId();
      const field = await createField(tenantId, entity, 'Region');
      const response = await patchField(tenantId, entity, field.id, body);
      const problem = expectProblem(response, 422, 'VALIDATION_FAILED');
      expect(errorFields(problem)).toEqual(fields);
      expect((await listFields(tenantId, entity)).find((f) => f.id === field.id)).toEqual(field);
    });

    it('422 for a null name or type: omitted means unchanged, null is not a value', async () => {
      const tenantId = newTenantId();
      const field = await createField(tenantId, entity, 'Nullable');
      for (const body of [{ name: null }, { type: null }]) {
        const problem = expectProblem(await patchField(tenantId, entity, field.id, body), 422);
        expect(problem.errors[0].field).toBe(Object.keys(body)[0]);
      }
    });

    it('ids are case-sensitive on every database: CF_NULLABLE is not cf_nullable', async () => {
      const tenantId = newTenantId();
      const field = await createField(tenantId, entity, 'Nullable');
      const response = await patchField(tenantId, entity, field.id.toUpperCase(), { name: 'Y' });
      expectProblem(response, 404, 'CUSTOM_FIELD_NOT_FOUND');
    });

    it('404 CUSTOM_FIELD_NOT_FOUND for an unknown id', async () => {
      const response = await patchField(newTenantId(), entity, 'cf_unknown', { name: 'X' });
      const problem = expectProblem(response, 404, 'CUSTOM_FIELD_NOT_FOUND');
      expect(problem.instance).toBe(`${base}/cf_unknown`);
    });
  });

  describe(`DELETE ${base}/{id}`, () => {
    it('deletes the definition: 204, gone from the list, then 404', async () => {
      const tenantId = newTenantId();
      const keep = await createField(tenantId, entity, 'Keep');
      const drop = await createField(tenantId, entity, 'Drop', 'date');
      const response = await deleteField(tenantId, entity, drop.id).expect(204);
      expect(response.text).toBe('');
      expect(ids(await listFields(tenantId, entity))).toEqual([...predefinedIds, keep.id]);

      expectProblem(await deleteField(tenantId, entity, drop.id), 404, 'CUSTOM_FIELD_NOT_FOUND');
      expectProblem(
        await patchField(tenantId, entity, drop.id, { name: 'Back' }),
        404,
        'CUSTOM_FIELD_NOT_FOUND',
      );
    });

    it('frees the name', async () => {
      const tenantId = newTenantId();
      const field = await createField(tenantId, entity, 'Temporary');
      await deleteField(tenantId, entity, field.id).expect(204);
      const again = await createField(tenantId, entity, 'temporary');
      expect(again.name).toBe('temporary');
    });

    it('404 CUSTOM_FIELD_NOT_FOUND for an unknown id', async () => {
      expectProblem(
        await deleteField(newTenantId(), entity, 'cf_unknown'),
        404,
        'CUSTOM_FIELD_NOT_FOUND',
      );
    });
  });

  describe('tenant isolation', () => {
    it("hides another tenant's fields and answers 404 to changes", async () => {
      const owner = newTenantId();
      const stranger = newTenantId();
      const field = await createField(owner, entity, 'Secret');

      expect(ids(await listFields(stranger, entity))).toEqual(predefinedIds);
      expectProblem(
        await patchField(stranger, entity, field.id, { name: 'Mine now' }),
        404,
        'CUSTOM_FIELD_NOT_FOUND',
      );
      expectProblem(
        await patchField(stranger, entity, field.id, { type: 'date' }),
        404,
        'CUSTOM_FIELD_NOT_FOUND',
      );
      expectProblem(await deleteField(stranger, entity, field.id), 404, 'CUSTOM_FIELD_NOT_FOUND');
      expect((await listFields(owner, entity)).find((f) => f.id === field.id)).toEqual(field);
    });

    it('lets each tenant use the same name, with the same readable id', async () => {
      const first = await createField(newTenantId(), entity, 'Region');
      const second = await createField(newTenantId(), entity, 'Region');
      expect(first.id).toBe('cf_region');
      expect(second.id).toBe('cf_region');
    });
  });

  describe(`namespaces: ${entity} vs ${OTHER[entity]}`, () => {
    it(`keeps a ${entity} field out of the ${OTHER[entity]} list and endpoints`, async () => {
      const tenantId = newTenantId();
      const field = await createField(tenantId, entity, 'Only here');
      const other = OTHER[entity];
      expect(ids(await listFields(tenantId, other))).not.toContain(field.id);
      expectProblem(
        await patchField(tenantId, other, field.id, { name: 'Moved' }),
        404,
        'CUSTOM_FIELD_NOT_FOUND',
      );
      expectProblem(await deleteField(tenantId, other, field.id), 404, 'CUSTOM_FIELD_NOT_FOUND');
      expect((await listFields(tenantId, entity)).find((f) => f.id === field.id)).toEqual(field);
    });
  });
});

describe('contact and property namespaces', () => {
  it('allow the same name in both, each with its own definition', async () => {
    const tenantId = newTenantId();
    const contact = await createField(tenantId, 'contact', 'Region', 'text');
    const property = await createField(tenantId, 'property', 'Region', 'date');
    expect(contact).toMatchObject({ id: 'cf_region', entityType: 'contact', type: 'text' });
    expect(property).toMatchObject({ id: 'cf_region', entityType: 'property', type: 'date' });

    await patchField(tenantId, 'property', 'cf_region', { name: 'Property region' }).expect(200);
    await deleteField(tenantId, 'contact', 'cf_region').expect(204);

    expect(ids(await listFields(tenantId, 'contact'))).toEqual(['cf_email', 'cf_phone']);
    expect(await listFields(tenantId, 'property')).toEqual([
      { ...property, name: 'Property region' },
    ]);
  });

  it('a property field id on /v1/contacts/custom-fields/{id} is 404', async () => {
    const tenantId = newTenantId();
    const property = await createField(tenantId, 'property', 'Tier');
    expectProblem(
      await patchField(tenantId, 'contact', property.id, { type: 'date' }),
      404,
      'CUSTOM_FIELD_NOT_FOUND',
    );
    expectProblem(
      await deleteField(tenantId, 'contact', property.id),
      404,
      'CUSTOM_FIELD_NOT_FOUND',
    );
    expect(await listFields(tenantId, 'property')).toEqual([property]);
  });

  it('slugs are counted per namespace', async () => {
    const tenantId = newTenantId();
    await createField(tenantId, 'contact', 'Region');
    await createField(tenantId, 'contact', 'Región!');
    const property = await createField(tenantId, 'property', 'Región!');
    expect(property.id).toBe('cf_region');
  });
});
