import { as } from '../support/api';
import { Contact, TestTenant, inParallel, phoneNumber, sortedIds } from '../support/contacts';
import { importCsv } from '../support/imports';

/** What the exact check decides: the lower-cased text of a contact contains the term. */
function expected(contacts: Contact[], term: string): string[] {
  const needle = term.toLowerCase();
  return sortedIds(
    contacts.filter((c) =>
      [
        c.name,
        c.customFields.email,
        c.customFields.phone,
        ...c.identities.map((i) => i.metadata.phoneNumber),
      ]
        .filter((part): part is string => !!part)
        .some((part) => part.toLowerCase().includes(needle)),
    ),
  );
}

async function found(tenant: TestTenant, search: string): Promise<string[]> {
  return (await tenant.listIds({ search })).sort();
}

describe('search through the substring index', () => {
  const tenant = new TestTenant();
  let contacts: Contact[];
  const names = [
    'Anna Nowak',
    'Łukasz Żółć',
    'ŁUKASZ Wiśniewski',
    'Ärger Österreich',
    'ärmel über',
    'x',
    'xy',
    'a@b+c.d-e_f%g\\h"i',
    '*star (paren) ~tilde <lt> gt>',
    '100% sure_thing',
    'Zoë O"Neil',
  ];

  beforeAll(async () => {
    contacts = await inParallel(names.length, (i) =>
      tenant.createContact({
        name: names[i],
        phone: phoneNumber(700 + i),
        customFields: { email: `person${i}.mail@example.com` },
      }),
    );
  });

  it.each([
    'x',
    'y',
    'ł',
    'ä',
    'ö',
    '%',
    '_',
    '\\',
    '"',
    '@',
    '+',
    '.',
    '-',
    '*',
    '(',
    ')',
    '~',
    '<',
    '>',
    'xy',
    'ło',
    'ÄR',
    'ar',
    '@b',
    '+c',
    '%g',
    '_t',
    '\\h',
    'h"',
    '*s',
    '(p',
    ') ',
    ' ~',
    '<l',
    't>',
    'xyz',
    'łuk',
    'ŁUK',
    'żół',
    'ÄRG',
    'ärm',
    'a@b',
    'b+c',
    'c.d',
    'd-e',
    'e_f',
    'f%g',
    'g\\h',
    '"i',
    '100',
    '0% ',
    'son',
    'ail',
    '700',
    'łukasz',
    'Żółć',
    'österreich',
    'ÜBER',
    'a@b+c.d-e_f%g\\h"i',
    '*star (paren)',
    '~tilde <lt>',
    'gt>',
    '100% sure',
    'o"neil',
    'person3.mail@example.com',
    '+48600000703',
    '600000705',
    'example.comx',
    'nowak anna',
    'nobody-here',
    '@example.com',
  ])('%p finds exactly what the exact check decides', async (term) => {
    expect(await found(tenant, term)).toEqual(expected(contacts, term));
  });

  it('finds terms of 1, 2 and 3 characters at the very end of a text', async () => {
    const [last] = [contacts[6]]; // named 'xy', its phone ends the text
    const phone = last.identities[0].metadata.phoneNumber;
    for (const term of [phone.slice(-1), phone.slice(-2), phone.slice(-3)]) {
      expect(await found(tenant, term)).toContain(last.id);
    }
  });

  it('a paging walk meets each match once, in order', async () => {
    const term = 'example';
    const walk = await tenant.walk({ search: term, pageSize: 3 });
    expect(new Set(walk.ids).size).toBe(walk.ids.length);
    expect([...walk.ids].sort()).toEqual(expected(contacts, term));
    expect(walk.pages.length).toBeGreaterThan(2);
  });
});

describe('search reads its own writes', () => {
  it('after create, rename, cf_email and cf_phone set and clear, and delete', async () => {
    const tenant = new TestTenant();
    const contact = await tenant.createContact({ name: 'Quentin Quokka', phone: phoneNumber(801) });
    expect(await found(tenant, 'quokka')).toEqual([contact.id]);
    expect(await found(tenant, '600000801')).toEqual([contact.id]);

    await tenant.rename(contact.id, 'Rupert Rhino');
    expect(await found(tenant, 'quokka')).toEqual([]);
    expect(await found(tenant, 'rhino')).toEqual([contact.id]);

    await tenant.setField(contact.id, 'cf_email', 'rupert@zoo.example');
    expect(await found(tenant, 'rupert@zoo')).toEqual([contact.id]);
    await tenant.setField(contact.id, 'cf_email', 'rhino@savanna.example');
    expect(await found(tenant, 'zoo.ex')).toEqual([]);
    expect(await found(tenant, 'savanna')).toEqual([contact.id]);
    await tenant.setField(contact.id, 'cf_email', '');
    expect(await found(tenant, 'savanna')).toEqual([]);

    await tenant.setField(contact.id, 'cf_phone', '+48 511 222 333');
    expect(await found(tenant, '511222')).toEqual([contact.id]);
    await tenant.setField(contact.id, 'cf_phone', '');
    expect(await found(tenant, '511222')).toEqual([]);

    await tenant.archive(contact.id);
    expect(await tenant.listIds({ search: 'rhino', archived: true })).toEqual([contact.id]);
    await tenant.unarchive(contact.id);

    await tenant.deleteContact(contact.id);
    expect(await found(tenant, 'rhino')).toEqual([]);
    expect(await found(tenant, '600000801')).toEqual([]);
    expect(await tenant.listIds({ search: 'rhino', archived: true })).toEqual([]);
  });

  it('after an import that creates contacts and one that updates an email', async () => {
    const tenant = new TestTenant();
    const headers = as(tenant.id);
    await importCsv(
      headers,
      [
        'name,phone,email',
        'Imported Ibis,+48512000001,ibis@first.example',
        'Other,+48512000002,',
      ].join('\n'),
    );
    const [ibis] = await tenant.listIds({ search: 'ibis' });
    expect(ibis).toBeDefined();
    expect(await found(tenant, 'first.exam')).toEqual([ibis]);
    expect(await found(tenant, '512000002')).toHaveLength(1);

    const status = await importCsv(
      headers,
      ['name,phone,email', 'Imported Ibis,+48512000001,ibis@second.example'].join('\n'),
    );
    expect(status.updatedCount).toBe(1);
    expect(await found(tenant, 'first.exam')).toEqual([]);
    expect(await found(tenant, 'second.exam')).toEqual([ibis]);
  });

  it('a deleted contact is never found, and a new one with its phone is', async () => {
    const tenant = new TestTenant();
    const first = await tenant.createContact({ name: 'Gone Gecko', phone: phoneNumber(901) });
    await tenant.deleteContact(first.id);
    const second = await tenant.createContact({ name: 'New Newt', phone: phoneNumber(901) });
    expect(await found(tenant, '600000901')).toEqual([second.id]);
    expect(await found(tenant, 'gecko')).toEqual([]);
  });

  it('never finds another tenant’s contacts', async () => {
    const mine = new TestTenant();
    const theirs = new TestTenant();
    await theirs.createContact({ name: 'Secret Salamander' });
    expect(await found(mine, 'salamander')).toEqual([]);
    expect(await found(mine, 'sal')).toEqual([]);
  });
});
