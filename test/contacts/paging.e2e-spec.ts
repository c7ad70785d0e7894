import { expectProblem } from '../support/api';
import { TestTenant, inParallel } from '../support/contacts';

function expectEachOnce(ids: string[]): void {
  expect(new Set(ids).size).toBe(ids.length);
}

describe('nextPageToken', () => {
  const tenant = new TestTenant();

  beforeAll(async () => {
    await tenant.createContacts(6, 'Paged');
  });

  it('is "" on an empty list', async () => {
    const empty = new TestTenant();
    expect(await empty.page()).toEqual({ contacts: [], nextPageToken: '' });
  });

  it.each([
    [1, [1, 1, 1, 1, 1, 1]],
    [2, [2, 2, 2]],
    [3, [3, 3]],
    [4, [4, 2]],
    [5, [5, 1]],
    [6, [6]],
    [50, [6]],
  ])(
    'is non-empty exactly when another non-empty page exists (pageSize %p)',
    async (pageSize, sizes) => {
      const { pages, ids } = await tenant.walk({ pageSize });
      expect(pages.map((p) => p.contacts.length)).toEqual(sizes);
      pages.forEach((page, i) => {
        if (i < pages.length - 1) expect(page.nextPageToken).toMatch(/^\S+$/);
        else expect(page.nextPageToken).toBe('');
      });
      expectEachOnce(ids);
      expect(ids).toEqual(await tenant.listIds());
    },
  );

  it('is "" when the only rows after the page are archived or deleted', async () => {
    const local = new TestTenant();
    const [a, b, c] = await local.createContacts(3, 'Edge');
    await local.archive(a.id);
    await local.deleteContact(b.id);
    expect(await local.page({ pageSize: 1 })).toEqual({
      contacts: [await local.getContact(c.id)],
      nextPageToken: '',
    });
  });
});

describe('walking all pages while contacts are created', () => {
  it.each([
    ['createdAt', 'desc'],
    ['createdAt', 'asc'],
    ['updatedAt', 'desc'],
    ['updatedAt', 'asc'],
    ['name', 'asc'],
    ['name', 'desc'],
  ])('meets each contact once (orderBy %s %s)', async (orderBy, orderDirection) => {
    const tenant = new TestTenant();
    const names = ['Mia', 'Ola', 'Ada', 'Zoe', 'Ewa', 'Iga', 'Uma', 'Bea', 'Kai', 'Noa'];
    const originals = await inParallel(
      17,
      (i) =>
        tenant.createContact(
          i % 5 === 4
            ? { phone: `+4860012${String(i).padStart(4, '0')}` }
            : { name: `${names[i % 10]} ${i % 3}` },
        ),
      8,
    );
    const inserted: string[] = [];
    const { ids, pages } = await tenant.walk(
      { pageSize: 4, orderBy, orderDirection },
      async (pageIndex) => {
        // New contacts sort before and after the cursor (names from A to Z, and unnamed).
        for (const name of [`Aaa ${pageIndex}`, `Zzz ${pageIndex}`, null]) {
          const body = name ? { name } : { customFields: { email: `p${pageIndex}@x.pl` } };
          inserted.push((await tenant.createContact(body)).id);
        }
      },
    );
    expect(pages.length).toBeGreaterThanOrEqual(5);
    expectEachOnce(ids);
    for (const original of originals) {
      expect(ids.filter((id) => id === original.id)).toHaveLength(1);
    }
    const unexpected = ids.filter(
      (id) => !originals.some((o) => o.id === id) && !inserted.includes(id),
    );
    expect(unexpected).toEqual([]);
    if (orderBy !== 'name' && orderDirection === 'asc') {
      // Every insert lands after the cursor, so an ascending walk meets them all.
      expect([...ids].sort()).toEqual([...originals.map((o) => o.id), ...inserted].sort());
    }
  });
});

describe('page tokens', () => {
  const tenant = new TestTenant();
  let tagId: string;

  beforeAll(async () => {
    tagId = (await tenant.createTag('Paging tag')).id;
    await tenant.createField('Stage');
    const contacts = await tenant.createContacts(5, 'Token');
    for (const contact of contacts) {
      await tenant.tag(contact.id, tagId);
      await tenant.setField(contact.id, 'stage', 'lead');
    }
  });

  async function tokenFor(query: Record<string, string | number>): Promise<string> {
    const page = await tenant.page({ ...query, pageSize: 2 });
    expect(page.nextPageToken).not.toBe('');
    return page.nextPageToken;
  }

  it('answers 400 INVALID_PAGE_TOKEN for a tampered or made-up token', async () => {
    const token = await tokenFor({});
    const [payload, signature] = token.split('.');
    const flip = (s: string, at: number) =>
      s.slice(0, at) + (s[at] === 'A' ? 'B' : 'A') + s.slice(at + 1);
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const forged = Buffer.from(
      JSON.stringify({ ...decoded, i: 'con_00000000000000000000000000' }),
    ).toString('base64url');
    const candidates = [
      flip(token, 0),
      flip(token, Math.floor(token.length / 2)),
      flip(token, token.length - 1),
      `${forged}.${signature}`,
      `${payload}.`,
      payload,
      `${token}.extra`,
      'not-a-token',
      '%%%',
      Buffer.from('{"v":"x"}').toString('base64url'),
    ];
    for (const pageToken of candidates) {
      if (pageToken === token) throw new Error('flip did not change the token');
      expectProblem(await tenant.list({ pageSize: 2, pageToken }), 400, 'INVALID_PAGE_TOKEN');
    }
    // The genuine token still works.
    expect((await tenant.page({ pageSize: 2, pageToken: token })).contacts).toHaveLength(2);
  });

  it('answers 400 PAGE_TOKEN_MISMATCH for a token reused with other filters or ordering', async () => {
    const issuedFor: Record<string, string | number> = {
      search: 'token',
      tagIds: tagId,
      orderBy: 'name',
      orderDirection: 'asc',
    };
    const token = await tokenFor(issuedFor);
    const variants: Record<string, string | number | undefined>[] = [
      { search: 'toke' },
      { search: undefined },
      { tagIds: undefined },
      { tagIds: `${tagId},tag_01HV8Y9R3Q4J6A7M8N9P0Q2S4` },
      { orderBy: 'createdAt' },
      { orderBy: undefined },
      { orderDirection: 'desc' },
      { channels: 'whatsapp' },
      { archived: 'true' },
      { 'customFields[stage]': 'lead' },
      { createdAfter: '2020-01-01T00:00:00Z' },
      { createdBefore: '2999-01-01T00:00:00Z' },
    ];
    for (const variant of variants) {
      const response = await tenant.list({
        ...issuedFor,
        ...variant,
        pageSize: 2,
        pageToken: token,
      });
      expectProblem(response, 400, 'PAGE_TOKEN_MISMATCH');
    }
    // With the very same filters and ordering the token works.
    const next = await tenant.page({ ...issuedFor, pageSize: 2, pageToken: token });
    expect(next.contacts).toHaveLength(2);
  });

  it('accepts a token with the same filters written another way', async () => {
    const token = await tokenFor({ tagIds: tagId, 'customFields[stage]': 'lead', search: 'Token' });
    const next = await tenant.page({
      tagIds: [tagId],
      customFields: '{"cf_stage":"LEAD"}',
      search: '  token ',
      pageSize: 2,
      pageToken: token,
    });
    expect(next.contacts).toHaveLength(2);
  });
});
