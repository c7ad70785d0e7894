import { api, expectProblem } from '../support/api';
import { Contact, Field, TestTenant, ms, pause, errorFields } from '../support/contacts';

describe('PUT /v1/contacts/{contactId}/custom-fields/{customFieldId}', () => {
  const tenant = new TestTenant();
  let store: Field;
  let renewal: Field;

  const put = (contactId: string, fieldId: string, body: object) =>
    api()
      .put(`/v1/contacts/${contactId}/custom-fields/${fieldId}`)
      .set(tenant.headers())
      .send(body);

  beforeAll(async () => {
    store = await tenant.createField('Preferred store');
    renewal = await tenant.createField('Renewal', 'date');
  });

  it('sets a value by id and by key (204), moving updatedAt', async () => {
    const created = await tenant.createContact({ name: 'Valued' });
    await pause();
    const byId = await put(created.id, store.id, { value: 'Krakow' });
    expect(byId.status).toBe(204);
    expect(byId.text).toBe('');
    const afterId = await tenant.getContact(created.id);
    expect(afterId.customFields).toEqual({ preferredStore: 'Krakow' });
    expect(ms(afterId.updatedAt)).toBeGreaterThan(ms(created.updatedAt));

    await pause();
    await put(created.id, store.key, { value: 'Warsaw' }).expect(204);
    const afterKey = await tenant.getContact(created.id);
    expect(afterKey.customFields).toEqual({ preferredStore: 'Warsaw' });
    expect(ms(afterKey.updatedAt)).toBeGreaterThan(ms(afterId.updatedAt));

    await put(created.id, renewal.key, { value: '2026-12-31' }).expect(204);
    await put(created.id, 'email', { value: 'valued@example.com' }).expect(204);
    expect((await tenant.getContact(created.id)).customFields).toEqual({
      preferredStore: 'Warsaw',
      renewal: '2026-12-31',
      email: 'valued@example.com',
    });
  });

  it('does not move updatedAt when the value does not change', async () => {
    const created = await tenant.createContact({
      name: 'Stable',
      customFields: { [store.key]: 'Gdansk' },
    });
    await pause();
    await put(created.id, store.id, { value: 'Gdansk' }).expect(204);
    await put(created.id, renewal.id, { value: '' }).expect(204);
    expect(await tenant.getContact(created.id)).toEqual(created);
  });

  it('clears a value with "" (moving updatedAt) and keeps the definition', async () => {
    const created = await tenant.createContact({
      name: 'Clearable',
      customFields: { [store.key]: 'Lodz', [renewal.key]: '2027-01-01' },
    });
    await pause();
    await put(created.id, store.key, { value: '' }).expect(204);
    const cleared = await tenant.getContact(created.id);
    expect(cleared.customFields).toEqual({ renewal: '2027-01-01' });
    expect(ms(cleared.updatedAt)).toBeGreaterThan(ms(created.updatedAt));
    // The field is still there to be set again.
    await put(created.id, store.id, { value: 'Lodz' }).expect(204);
    expect((await tenant.getContact(created.id)).customFields.preferredStore).toBe('Lodz');
  });

  it('validates the value for the field: 422 naming value', async () => {
    const created = await tenant.createContact({ name: 'Strict' });
    const cases: [string, unknown][] = [
      [renewal.id, '2026-02-30'],
      [renewal.key, 'next week'],
      [store.id, 's'.repeat(1001)],
      ['email', 'not-an-email'],
      ['cf_phone', '555'],
      [store.id, 42],
      [store.id, null],
    ];
    for (const [field, value] of cases) {
      const problem = expectProblem(
        await put(created.id, field, { value }),
        422,
        'VALIDATION_FAILED',
      );
      expect(errorFields(problem)).toContain('value');
    }
    expectProblem(await put(created.id, store.id, {}), 422, 'VALIDATION_FAILED');
    expectProblem(await put(created.id, store.id, { value: 'a', extra: 1 }), 422);
    expect(await tenant.getContact(created.id)).toEqual(created);
  });

  it('normalizes cf_phone values', async () => {
    const created = await tenant.createContact({ name: 'Phoned' });
    await put(created.id, 'phone', { value: '+48 600 111 222' }).expect(204);
    expect((await tenant.getContact(created.id)).customFields).toEqual({ phone: '+48600111222' });
  });

  it('answers 404 for an unknown field, a property field and an unknown contact', async () => {
    const created = await tenant.createContact({ name: 'Target' });
    const property = await tenant.createField('Region', 'text', 'properties');
    expect(property.id).toBe('cf_region');
    for (const field of ['cf_nope', 'nope', property.id, property.key]) {
      expectProblem(await put(created.id, field, { value: 'x' }), 404, 'CUSTOM_FIELD_NOT_FOUND');
    }
    expectProblem(
      await put('con_01HV8Y5R5RFMS0TFK6PKF9H2S8', store.id, { value: 'x' }),
      404,
      'CONTACT_NOT_FOUND',
    );
    expect(await tenant.getContact(created.id)).toEqual(created);
  });
});

describe('custom-field definition rules that act on contact values', () => {
  it('refuses text → date while live contacts hold non-date values, counting them', async () => {
    const tenant = new TestTenant();
    const field = await tenant.createField('Due');
    const other = new TestTenant();
    const otherField = await other.createField('Due');
    await other.createContact({ customFields: { [otherField.key]: 'not a date' } });

    const dated = await tenant.createContact({ customFields: { due: '2026-05-01' } });
    const words = await tenant.createContact({ customFields: { due: 'soon' } });
    const impossible = await tenant.createContact({ customFields: { due: '2026-02-30' } });
    const archived = await tenant.createContact({ customFields: { due: 'later' } });
    await tenant.archive(archived.id);
    const deleted = await tenant.createContact({ customFields: { due: 'never' } });
    await tenant.deleteContact(deleted.id);
    await tenant.createContact({ name: 'No value' });

    const retype = () =>
      api()
        .patch(`/v1/contacts/custom-fields/${field.id}`)
        .set(tenant.headers())
        .send({ type: 'date' });

    const blocked = expectProblem(await retype(), 409, 'FIELD_TYPE_CHANGE_BLOCKED');
    expect(blocked.blockingContactCount).toBe(3);

    await tenant.setField(words.id, field.id, '');
    expect(expectProblem(await retype(), 409).blockingContactCount).toBe(2);
    await tenant.setField(impossible.id, field.key, '2026-02-28');
    await tenant.setField(archived.id, field.key, '2026-03-01');

    const retyped = await retype().expect(200);
    expect(retyped.body).toMatchObject({ id: field.id, type: 'date' });
    // Values are now checked as dates; existing ones are kept.
    expectProblem(
      await api()
        .put(`/v1/contacts/${dated.id}/custom-fields/${field.id}`)
        .set(tenant.headers())
        .send({ value: 'soon' }),
      422,
    );
    expect((await tenant.getContact(dated.id)).customFields).toEqual({ due: '2026-05-01' });
    // date → text always works.
    await api()
      .patch(`/v1/contacts/custom-fields/${field.id}`)
      .set(tenant.headers())
      .send({ type: 'text' })
      .expect(200);
  });

  it('allows text → date at once when every value is a date', async () => {
    const tenant = new TestTenant();
    const field = await tenant.createField('Anniversary');
    await tenant.createContact({ customFields: { anniversary: '2020-01-31' } });
    await tenant.createContact({ customFields: { anniversary: '2024-02-29' } });
    const response = await api()
      .patch(`/v1/contacts/custom-fields/${field.id}`)
      .set(tenant.headers())
      .send({ type: 'date' })
      .expect(200);
    expect(response.body.type).toBe('date');
  });

  it('removes a deleted definition’s values from every contact', async () => {
    const tenant = new TestTenant();
    const region = await tenant.createField('Sales region');
    const kept = await tenant.createField('Kept field');
    const a = await tenant.createContact({
      name: 'A',
      customFields: { salesRegion: 'north', keptField: 'k' },
    });
    const b = await tenant.createContact({ name: 'B', customFields: { salesRegion: 'south' } });
    await tenant.archive(b.id);
    const bArchived = await tenant.getContact(b.id);
    const untouched = await tenant.createContact({ name: 'C', customFields: { keptField: 'k' } });
    await pause();

    await api().delete(`/v1/contacts/custom-fields/${region.id}`).set(tenant.headers()).expect(204);

    const aAfter = await tenant.getContact(a.id);
    expect(aAfter.customFields).toEqual({ keptField: 'k' });
    expect(ms(aAfter.updatedAt)).toBeGreaterThan(ms(a.updatedAt));
    const bAfter = await tenant.getContact(b.id);
    expect(bAfter.customFields).toEqual({});
    expect(ms(bAfter.updatedAt)).toBeGreaterThan(ms(bArchived.updatedAt));
    expect(await tenant.getContact(untouched.id)).toEqual(untouched);
    expect(kept.id).toBe('cf_kept_field');

    // A new definition with the same name gets the same id: the old values must not come back.
    const again = await tenant.createField('Sales region');
    expect(again.id).toBe(region.id);
    expect((await tenant.getContact(a.id)).customFields).toEqual({ keptField: 'k' });
    expect(await tenant.listIds({ [`customFields[${again.key}]`]: 'north' })).toEqual([]);
    // …and it can be retyped to date: no value blocks it.
    await api()
      .patch(`/v1/contacts/custom-fields/${again.id}`)
      .set(tenant.headers())
      .send({ type: 'date' })
      .expect(200);
  });
});

describe('field values and search', () => {
  it('keeps search in step with cf_email and cf_phone values set, changed and cleared', async () => {
    const tenant = new TestTenant();
    const contact: Contact = await tenant.createContact({ name: 'Searchable' });
    expect(await tenant.listIds({ search: 'findme.example' })).toEqual([]);
    await tenant.setField(contact.id, 'email', 'Someone@FindMe.Example');
    expect(await tenant.listIds({ search: 'findme.example' })).toEqual([contact.id]);
    await tenant.setField(contact.id, 'cf_phone', '+48 600 333 444');
    expect(await tenant.listIds({ search: '600333444' })).toEqual([contact.id]);
    await tenant.setField(contact.id, 'email', 'other@elsewhere.example');
    expect(await tenant.listIds({ search: 'findme' })).toEqual([]);
    await tenant.setField(contact.id, 'phone', '');
    expect(await tenant.listIds({ search: '600333444' })).toEqual([]);
    expect(await tenant.listIds({ search: 'elsewhere' })).toEqual([contact.id]);
  });
});

describe('keys that collide with Object.prototype members', () => {
  const tenant = new TestTenant();

  it('stores, returns and filters by a field keyed toString', async () => {
    const printer = await tenant.createField('To string');
    expect(printer.key).toBe('toString');
    const contact = await tenant.createContact({
      name: 'Printed',
      customFields: { toString: 'Ink' },
    });
    expect(contact.customFields).toEqual({ toString: 'Ink' });
    await tenant.createContact({ name: 'Other', customFields: { toString: 'Paper' } });
    expect(await tenant.listIds({ 'customFields[toString]': 'ink' })).toEqual([contact.id]);
    expect(await tenant.listIds({ customFields: '{"toString":"INK"}' })).toEqual([contact.id]);
  });

  it('never gives a field the key constructor or prototype', async () => {
    const builder = await tenant.createField('Constructor');
    const model = await tenant.createField('Prototype');
    expect([builder.key, model.key]).toEqual(['constructor2', 'prototype2']);
    const contact = await tenant.createContact({
      name: 'Built',
      customFields: { constructor2: 'Bob', prototype2: 'Mk1' },
    });
    expect(contact.customFields).toEqual({ constructor2: 'Bob', prototype2: 'Mk1' });
  });

  it.each([
    ['{"name":"Sneaky","customFields":{"__proto__":"x"}}', ['customFields.__proto__']],
    [
      '{"name":"Sneaky","customFields":{"constructor":"x","prototype":"y"}}',
      ['customFields.constructor', 'customFields.prototype'],
    ],
    ['{"name":"Sneaky","constructor":{"prototype":"x"}}', ['constructor']],
  ])('answers 422 naming reserved keys in %s, storing nothing', async (body, fields) => {
    const before = await tenant.count();
    const response = await api()
      .post('/v1/contacts')
      .set(tenant.headers())
      .set('Content-Type', 'application/json')
      .send(body);
    expectProblem(response, 422, 'VALIDATION_FAILED');
    expect(errorFields(response.body as Record<string, unknown>)).toEqual(fields);
    expect(await tenant.count()).toBe(before);
  });
});
