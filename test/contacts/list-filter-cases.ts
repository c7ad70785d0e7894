import { expectProblem } from '../support/api';
import { isolatedServerEnv } from '../support/backend';
import { RunningServer, startServer } from '../support/server';
import {
  CONTACT_KEYS,
  Contact,
  Field,
  QueryValue,
  Tag,
  TestTenant,
  pause,
  phoneNumber,
} from '../support/contacts';

/** The same instant written with a +02:00 offset. */
function withPlusTwo(iso: string): string {
  const shifted = new Date(Date.parse(iso) + 2 * 3600_000).toISOString();
  return shifted.replace('Z', '+02:00');
}

/** The filter cases; also run against a server that takes the dense-match path (see list-filters-dense). */
export function describeListFilters(title: string): void {
  describe(title, () => {
    const tenant = new TestTenant();
    const label = new Map<string, string>();
    const byLabel: Record<string, Contact> = {};
    let vip: Tag;
    let wholesale: Tag;
    let stage: Field;
    /** Labels of the live, non-archived contacts, in creation order. */
    const active: string[] = [];

    /** Labels of the contacts the query lists (first page of up to 1000), sorted. */
    async function find(query: Record<string, QueryValue>): Promise<string[]> {
      const ids = await tenant.listIds(query);
      return ids.map((id) => label.get(id) ?? id).sort();
    }

    beforeAll(async () => {
      vip = await tenant.createTag('VIP Gold');
      wholesale = await tenant.createTag('Wholesale');
      stage = await tenant.createField('Lifecycle stage');
      await tenant.createField('Tier', 'text', 'properties');

      const fixtures: [string, Record<string, unknown>, Tag[]][] = [
        [
          'anna',
          {
            name: 'Anna Kowalska',
            phone: phoneNumber(1),
            customFields: { email: 'anna@example.com', lifecycleStage: 'customer' },
          },
          [vip],
        ],
        [
          'bob',
          { name: 'Bob Smith', customFields: { phone: phoneNumber(2), lifecycleStage: 'lead' } },
          [wholesale],
        ],
        [
          'carol',
          { name: 'Carol', phone: phoneNumber(3), customFields: { lifecycleStage: 'Customer' } },
          [vip, wholesale],
        ],
        ['percent', { name: '100% cotton' }, []],
        ['plain', { name: '100 cotton' }, []],
        ['under', { name: 'snake_case' }, []],
        ['noUnder', { name: 'snakeXcase' }, []],
        ['backslash', { name: 'back\\slash' }, []],
        ['noBackslash', { name: 'backslash' }, []],
        ['wow', { name: 'Wow!' }, []],
        ['unnamed', { phone: phoneNumber(12) }, []],
        ['archie', { name: 'Archie', customFields: { lifecycleStage: 'customer' } }, [vip]],
        ['dan', { name: 'Deleted Dan', customFields: { lifecycleStage: 'customer' } }, [vip]],
      ];
      for (const [name, body, tags] of fixtures) {
        // Distinct creation instants, so createdAfter/createdBefore expectations are exact.
        await pause(3);
        const contact = await tenant.createContact(body);
        for (const tag of tags) await tenant.tag(contact.id, tag.id);
        label.set(contact.id, name);
        byLabel[name] = contact;
        if (name !== 'archie' && name !== 'dan') active.push(name);
      }
      await tenant.archive(byLabel.archie.id);
      await tenant.deleteContact(byLabel.dan.id);
    });

    it('lists live non-archived contacts, newest first, in the documented shape', async () => {
      const response = await tenant.list().expect(200);
      expect(Object.keys(response.body).sort()).toEqual(['contacts', 'nextPageToken']);
      expect(response.body.nextPageToken).toBe('');
      const contacts = response.body.contacts as Contact[];
      expect(contacts.map((c) => label.get(c.id))).toEqual([...active].reverse());
      for (const contact of contacts) expect(Object.keys(contact).sort()).toEqual(CONTACT_KEYS);
      const anna = contacts.find((c) => c.id === byLabel.anna.id)!;
      expect(anna).toEqual(await tenant.getContact(anna.id));
      expect(anna.tagIds).toEqual([vip.id]);
    });

    describe('search', () => {
      it.each<[string, string[]]>([
        ['anna', ['anna']],
        ['KOWALSKA', ['anna']],
        ['  carol  ', ['carol']],
        ['EXAMPLE.COM', ['anna']],
        ['600000002', ['bob']],
        ['+48600000003', ['carol']],
        ['600000012', ['unnamed']],
        ['gold', ['anna', 'carol']],
        ['WHOLESALE', ['bob', 'carol']],
        ['cotton', ['percent', 'plain']],
        ['0%', ['percent']],
        ['%', ['percent']],
        ['e_c', ['under']],
        ['_', ['under']],
        ['k\\s', ['backslash']],
        ['\\', ['backslash']],
        ['!', ['wow']],
        ['dan', []],
        ['archie', []],
        ['no such thing', []],
      ])('search=%p finds %p', async (search, expected) => {
        expect(await find({ search })).toEqual(expected);
      });

      it('treats an empty or blank search as no filter', async () => {
        const all = [...active].sort();
        expect(await find({ search: '' })).toEqual(all);
        expect(await find({ search: '   ' })).toEqual(all);
      });

      it('searches archived contacts with archived=true', async () => {
        expect(await find({ search: 'gold', archived: 'true' })).toEqual(['archie']);
        expect(await find({ search: 'arch', archived: 'true' })).toEqual(['archie']);
      });

      // Small pages are filled from the next contacts in sort order before any scan; the walk
      // must meet the same matches in the same order as one large page does.
      it.each([
        ['a', 'createdAt', 'desc'],
        ['a', 'name', 'asc'],
        ['gold', 'updatedAt', 'asc'],
        ['0', 'name', 'desc'],
      ])('search=%p pages one contact at a time by %s %s', async (search, orderBy, direction) => {
        const order = { search, orderBy, orderDirection: direction };
        const onePage = await tenant.listIds(order);
        expect(onePage.length).toBeGreaterThan(1);
        const { ids } = await tenant.walk({ ...order, pageSize: 1 });
        expect(ids).toEqual(onePage);
      });
    });

    describe('customFields', () => {
      it.each<[string, Record<string, QueryValue>, string[]]>([
        ['deepObject by key', { 'customFields[lifecycleStage]': 'customer' }, ['anna', 'carol']],
        ['case-insensitive', { 'customFields[lifecycleStage]': 'CUSTOMER' }, ['anna', 'carol']],
        ['equality, not substring', { 'customFields[lifecycleStage]': 'cust' }, []],
        ['deepObject by id', { 'customFields[cf_lifecycle_stage]': 'Customer' }, ['anna', 'carol']],
        ['JSON by key', { customFields: '{"lifecycleStage":"customer"}' }, ['anna', 'carol']],
        ['JSON by id', { customFields: '{"cf_lifecycle_stage":"LEAD"}' }, ['bob']],
        [
          'AND across fields',
          { 'customFields[lifecycleStage]': 'customer', 'customFields[email]': 'ANNA@example.com' },
          ['anna'],
        ],
        [
          'AND across fields, JSON',
          { customFields: '{"lifecycleStage":"customer","cf_email":"anna@example.com"}' },
          ['anna'],
        ],
        [
          'AND with no common contact',
          { 'customFields[lifecycleStage]': 'lead', 'customFields[email]': 'anna@example.com' },
          [],
        ],
        ['cf_phone', { 'customFields[phone]': phoneNumber(2) }, ['bob']],
        [
          'archived bucket',
          { 'customFields[lifecycleStage]': 'customer', archived: 'true' },
          ['archie'],
        ],
      ])('%s', async (_label, query, expected) => {
        expect(await find(query)).toEqual(expected);
      });

      it('answers 400 for an unknown field (a property field included)', async () => {
        for (const query of [
          { 'customFields[nope]': 'x' },
          { customFields: '{"nope":"x"}' },
          { 'customFields[tier]': 'gold' },
          { 'customFields[lifecycleStage]': 'customer', 'customFields[cf_tier]': 'gold' },
        ]) {
          const problem = expectProblem(await tenant.list(query), 400, 'UNKNOWN_CUSTOM_FIELD');
          expect(problem.detail).toEqual(expect.any(String));
        }
      });

      it('answers 400 for a customFields value that is not an object', async () => {
        for (const customFields of ['{bad json', '["customer"]', '"customer"']) {
          expectProblem(await tenant.list({ customFields }), 400);
        }
      });

      it('compares long values in full: case-insensitive, accent-sensitive', async () => {
        const local = new TestTenant();
        await local.createField('Notes');
        const stem = `Żółć ${'a'.repeat(300)}`;
        const a = await local.createContact({ customFields: { notes: `${stem} Éclair` } });
        const b = await local.createContact({ customFields: { notes: `${stem} Eclair` } });
        const notes = (value: string) => local.listIds({ 'customFields[notes]': value });
        expect(await notes(`${stem} Éclair`)).toEqual([a.id]);
        expect(await notes(`${stem} Éclair`.toUpperCase())).toEqual([a.id]);
        expect(await notes(`${stem} éclair`.toLowerCase())).toEqual([a.id]);
        expect(await notes(`${stem} ECLAIR`)).toEqual([b.id]);
        expect(await notes(stem)).toEqual([]);
      });

      it('accepts the field by key and by id as one filter', async () => {
        expect(stage.key).toBe('lifecycleStage');
        expect(await find({ [`customFields[${stage.id}]`]: 'lead' })).toEqual(['bob']);
      });
    });

    describe('tagIds', () => {
      it.each<[string, Record<string, QueryValue>, string[]]>([
        ['one tag', { tagIds: 'VIP' }, ['anna', 'carol']],
        ['repeated (OR)', { tagIds: ['VIP', 'WHOLESALE'] }, ['anna', 'bob', 'carol']],
        ['comma-separated (OR)', { tagIds: 'VIP,WHOLESALE' }, ['anna', 'bob', 'carol']],
        ['unknown tag', { tagIds: 'tag_01HV8Y9R3Q4J6A7M8N9P0Q2S4' }, []],
        ['archived bucket', { tagIds: 'VIP', archived: 'true' }, ['archie']],
      ])('%s', async (_label, query, expected) => {
        const resolve = (value: QueryValue) =>
          Array.isArray(value)
            ? value.map((v) => String(v).replace('VIP', vip.id).replace('WHOLESALE', wholesale.id))
            : String(value).replace('VIP', vip.id).replace('WHOLESALE', wholesale.id);
        expect(await find({ ...query, tagIds: resolve(query.tagIds) })).toEqual(expected);
      });
    });

    it('accepts many repeated tagIds (more than the query parser puts in an array)', async () => {
      const others = Array.from({ length: 30 }, (_, i) => `tag_01HV8Y9R3Q4J6A7M8N9P0Q2S${i}`);
      expect(await find({ tagIds: [...others, wholesale.id] })).toEqual(['bob', 'carol']);
      expect(await find({ tagIds: [...others, vip.id].join(',') })).toEqual(['anna', 'carol']);
      const brackets = [...others, vip.id].map((id) => `tagIds[]=${id}`).join('&');
      const response = await tenant.list(`${brackets}&pageSize=1000`).expect(200);
      expect((response.body.contacts as Contact[]).map((c) => label.get(c.id)).sort()).toEqual([
        'anna',
        'carol',
      ]);
    });

    describe('channels', () => {
      it.each<[string, Record<string, QueryValue>, string[]]>([
        ['whatsapp', { channels: 'whatsapp' }, ['anna', 'carol', 'unnamed']],
        ['messenger', { channels: 'messenger' }, []],
        ['repeated (OR)', { channels: ['messenger', 'whatsapp'] }, ['anna', 'carol', 'unnamed']],
        ['comma-separated (OR)', { channels: 'instagram,whatsapp' }, ['anna', 'carol', 'unnamed']],
        ['text', { channels: 'text' }, []],
      ])('%s', async (_label, query, expected) => {
        expect(await find(query)).toEqual(expected);
      });

      it.each([['sms'], ['whatsapp,sms'], [['whatsapp', 'email']]])(
        'answers 400 for the unknown channel in %p',
        async (channels) => {
          expectProblem(await tenant.list({ channels }), 400, 'INVALID_QUERY_PARAMETER');
        },
      );
    });

    describe('archived', () => {
      it('omitted or false lists non-archived contacts, true archived ones', async () => {
        const all = [...active].sort();
        expect(await find({})).toEqual(all);
        expect(await find({ archived: 'false' })).toEqual(all);
        expect(await find({ archived: 'true' })).toEqual(['archie']);
      });

      it.each(['maybe', 'yes'])('answers 400 for archived=%p', async (archived) => {
        expectProblem(await tenant.list({ archived }), 400, 'INVALID_QUERY_PARAMETER');
      });
    });

    describe('createdAfter / createdBefore', () => {
      const createdFrom = (from: string) =>
        active.filter((name) => byLabel[name].createdAt >= byLabel[from].createdAt).sort();

      it('createdAfter is inclusive', async () => {
        const expected = createdFrom('carol');
        expect(expected).toContain('carol');
        expect(await find({ createdAfter: byLabel.carol.createdAt })).toEqual(expected);
      });

      it('createdBefore is exclusive', async () => {
        expect(await find({ createdBefore: byLabel.carol.createdAt })).toEqual(['anna', 'bob']);
      });

      it('combines both bounds', async () => {
        expect(
          await find({
            createdAfter: byLabel.bob.createdAt,
            createdBefore: byLabel.plain.createdAt,
          }),
        ).toEqual(['bob', 'carol', 'percent']);
      });

      it('accepts any RFC 3339 offset for the same instant', async () => {
        expect(await find({ createdAfter: withPlusTwo(byLabel.carol.createdAt) })).toEqual(
          createdFrom('carol'),
        );
        expect(await find({ createdBefore: withPlusTwo(byLabel.carol.createdAt) })).toEqual([
          'anna',
          'bob',
        ]);
      });

      it.each([
        'yesterday',
        '2026-04-30',
        '2026-04-30T09:20:00',
        '1714468800',
        '2026-13-01T00:00:00Z',
        '2026-02-30T00:00:00Z',
        '2026-04-31T10:00:00Z',
        '2026-04-30T24:00:00Z',
        '2026-04-30T09:60:00Z',
      ])('answers 400 for the invalid timestamp %p', async (value) => {
        expectProblem(await tenant.list({ createdAfter: value }), 400, 'INVALID_QUERY_PARAMETER');
        expectProblem(await tenant.list({ createdBefore: value }), 400, 'INVALID_QUERY_PARAMETER');
      });
    });

    // In createdAt order a field filter or a single tag is read from its own index, keyed by a
    // copy of the contact's created_at: paging must meet the same contacts, in the same order.
    it('pages field and tag filters one contact at a time in createdAt order', async () => {
      const filters: Record<string, QueryValue>[] = [
        { 'customFields[lifecycleStage]': 'customer' },
        { tagIds: vip.id },
        { tagIds: vip.id, search: 'a' },
        { 'customFields[lifecycleStage]': 'customer', tagIds: vip.id },
      ];
      for (const filter of filters) {
        for (const orderDirection of ['asc', 'desc']) {
          const query = { ...filter, orderBy: 'createdAt', orderDirection };
          const onePage = await tenant.listIds(query);
          expect(onePage.length).toBeGreaterThan(1);
          const { ids } = await tenant.walk({ ...query, pageSize: 1 });
          expect(ids).toEqual(onePage);
        }
      }
    });

    it('combines every filter with AND', async () => {
      const filters: Record<string, QueryValue>[] = [
        { search: 'a' },
        { tagIds: `${vip.id},${wholesale.id}` },
        { channels: 'whatsapp' },
        { 'customFields[lifecycleStage]': 'customer' },
        { createdAfter: byLabel.bob.createdAt },
        { createdBefore: byLabel.wow.createdAt },
        { archived: 'false' },
      ];
      const combined = await find(Object.assign({}, ...filters));
      expect(combined).toEqual(['carol']);
      // The same as the intersection of each filter on its own, each of which keeps more.
      let intersection: string[] | undefined;
      for (const filter of filters) {
        const alone = await find(filter);
        expect(alone.length).toBeGreaterThan(combined.length);
        intersection = intersection ? intersection.filter((n) => alone.includes(n)) : alone;
      }
      expect(intersection).toEqual(combined);
      expect(await find({ ...Object.assign({}, ...filters), archived: 'true' })).toEqual([]);
    });

    it.each([
      { orderBy: 'email' },
      { orderDirection: 'up' },
      { orderBy: 'name', orderDirection: 'sideways' },
    ])('answers 400 for %p', async (query) => {
      expectProblem(await tenant.list(query), 400, 'INVALID_QUERY_PARAMETER');
    });
  });
}

/** The filter cases against a server of their own, started with `env` (a tuning setting). */
export function describeListFiltersOnServer(title: string, env: Record<string, string>): void {
  describe(title, () => {
    let server: RunningServer;
    const sharedUrl = process.env.E2E_API_URL;

    beforeAll(async () => {
      server = await startServer({ ...isolatedServerEnv(), ...env });
      process.env.E2E_API_URL = server.url;
    });

    afterAll(async () => {
      process.env.E2E_API_URL = sharedUrl;
      await server?.stop();
    });

    describeListFilters(`GET /v1/contacts filters (${title})`);
  });
}
