import { Contact, TestTenant, inParallel, ms, pause, phoneNumber } from '../support/contacts';

type Direction = 'asc' | 'desc';

/** Sorts by a key, ties by id, both in `direction`. */
function ordered(contacts: Contact[], key: (c: Contact) => string | number, direction: Direction) {
  const sign = direction === 'asc' ? 1 : -1;
  return [...contacts]
    .sort((a, b) => {
      const [ka, kb] = [key(a), key(b)];
      if (ka !== kb) return ka < kb ? -sign : sign;
      return a.id < b.id ? -sign : sign;
    })
    .map((c) => c.id);
}

/** Lists the whole tenant in one page, and walking pages of `pageSize`: both must agree. */
async function listBoth(
  tenant: TestTenant,
  query: Record<string, string>,
  pageSize: number,
): Promise<string[]> {
  const whole = await tenant.listIds(query);
  const walked = await tenant.walk({ ...query, pageSize });
  expect(walked.ids).toEqual(whole);
  expect(walked.pages.length).toBeGreaterThan(1);
  return whole;
}

describe('orderBy createdAt', () => {
  const tenant = new TestTenant();
  let contacts: Contact[];

  beforeAll(async () => {
    const first = await tenant.createContacts(3, 'Early');
    // Concurrent creates: several may share a millisecond.
    const burst = await inParallel(10, (i) => tenant.createContact({ name: `Burst ${i}` }), 10);
    await pause(3);
    const last = await tenant.createContacts(2, 'Late');
    contacts = await Promise.all([...first, ...burst, ...last].map((c) => tenant.getContact(c.id)));
  });

  it.each<Direction>(['asc', 'desc'])('orders %s, ties broken by id', async (direction) => {
    const listed = await listBoth(tenant, { orderBy: 'createdAt', orderDirection: direction }, 4);
    expect(listed).toEqual(ordered(contacts, (c) => ms(c.createdAt), direction));
    // Ids are monotonic ULIDs: creation order is id order.
    const byId = contacts.map((c) => c.id).sort();
    expect(listed).toEqual(direction === 'asc' ? byId : byId.reverse());
  });

  it('defaults to createdAt, descending', async () => {
    const descending = await tenant.listIds({ orderBy: 'createdAt', orderDirection: 'desc' });
    expect(await tenant.listIds()).toEqual(descending);
    expect(await tenant.listIds({ orderBy: 'createdAt' })).toEqual(descending);
    expect(await tenant.listIds({ orderDirection: 'desc' })).toEqual(descending);
    expect(await tenant.listIds({ orderDirection: 'asc' })).toEqual([...descending].reverse());
  });
});

describe('orderBy updatedAt', () => {
  const tenant = new TestTenant();
  let contacts: Contact[];

  beforeAll(async () => {
    const created = await tenant.createContacts(9, 'Updated');
    const tag = await tenant.createTag('Touch all');
    // Deleting a tag touches every contact carrying it at one instant: exact updatedAt ties.
    for (const contact of created.slice(1, 7)) await tenant.tag(contact.id, tag.id);
    await pause();
    await tenant.deleteTag(tag.id);
    await pause();
    await tenant.rename(created[0].id, 'Renamed last');
    contacts = await Promise.all(created.map((c) => tenant.getContact(c.id)));
    const tied = new Set(contacts.slice(1, 7).map((c) => c.updatedAt));
    expect(tied.size).toBe(1);
  });

  it.each<Direction>(['asc', 'desc'])('orders %s, ties broken by id', async (direction) => {
    const listed = await listBoth(tenant, { orderBy: 'updatedAt', orderDirection: direction }, 4);
    expect(listed).toEqual(ordered(contacts, (c) => ms(c.updatedAt), direction));
    const renamed = contacts[0].id;
    expect(direction === 'asc' ? listed.at(-1) : listed[0]).toBe(renamed);
    // The tie group comes out in id order, not in creation or any other order.
    const tiedIds = contacts.slice(1, 7).map((c) => c.id);
    const tiedInList = listed.filter((id) => tiedIds.includes(id));
    expect(tiedInList).toEqual(
      direction === 'asc' ? [...tiedIds].sort() : [...tiedIds].sort().reverse(),
    );
  });

  it('follows updates: a contact moves when it changes', async () => {
    const before = await tenant.listIds({ orderBy: 'updatedAt', orderDirection: 'desc' });
    const oldest = before.at(-1)!;
    await pause();
    await tenant.setField(oldest, 'email', 'moved@example.com');
    const after = await tenant.listIds({ orderBy: 'updatedAt', orderDirection: 'desc' });
    expect(after[0]).toBe(oldest);
    expect(after.slice(1)).toEqual(before.slice(0, -1));
  });
});

describe('orderBy name', () => {
  const tenant = new TestTenant();
  let contacts: Contact[];

  beforeAll(async () => {
    const named = await inParallel(
      6,
      (i) => tenant.createContact({ name: ['Carl', 'Alice', 'Zed', 'Bob', 'Anna', 'Al'][i] }),
      1,
    );
    // Three namesakes, renamed in reverse creation order: the tie is broken by id only.
    const namesakes = await tenant.createContacts(3, 'Namesake');
    for (const contact of [...namesakes].reverse()) {
      await pause(2);
      await tenant.rename(contact.id, 'Anna');
    }
    const unnamed = [
      await tenant.createContact({ phone: phoneNumber(1) }),
      await tenant.createContact({ customFields: { email: 'nameless@example.com' } }),
      await tenant.rename((await tenant.createContact({ name: 'Soon nameless' })).id, null),
    ];
    contacts = await Promise.all(
      [...named, ...namesakes, ...unnamed].map((c) => tenant.getContact(c.id)),
    );
  });

  const nameKey = (c: Contact) => (c.name ?? '').toLowerCase();

  it.each<Direction>(['asc', 'desc'])(
    'orders %s, ties by id, unnamed contacts first in asc and last in desc',
    async (direction) => {
      const listed = await listBoth(tenant, { orderBy: 'name', orderDirection: direction }, 2);
      expect(listed).toEqual(ordered(contacts, nameKey, direction));
      const names = listed.map((id) => contacts.find((c) => c.id === id)!.name);
      const expectedNames = [null, null, null, 'Al', 'Alice', 'Anna', 'Anna', 'Anna', 'Anna'];
      expectedNames.push('Bob', 'Carl', 'Zed');
      expect(names).toEqual(direction === 'asc' ? expectedNames : expectedNames.reverse());
    },
  );

  it('defaults to descending', async () => {
    expect(await tenant.listIds({ orderBy: 'name' })).toEqual(
      await tenant.listIds({ orderBy: 'name', orderDirection: 'desc' }),
    );
  });
});
