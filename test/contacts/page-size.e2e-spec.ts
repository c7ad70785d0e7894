import { expectProblem } from '../support/api';
import { TestTenant, inParallel } from '../support/contacts';

describe('pageSize', () => {
  const tenant = new TestTenant();
  let total: number;

  beforeAll(async () => {
    // One more than the maximum page, so clamping is visible.
    total = (await inParallel(1001, (i) => tenant.createContact({ name: `Bulk ${i}` }), 8)).length;
  });

  it('defaults to 50, and 0 means the default', async () => {
    for (const query of [{}, { pageSize: 0 }]) {
      const page = await tenant.page(query);
      expect(page.contacts).toHaveLength(50);
      expect(page.nextPageToken).not.toBe('');
    }
  });

  it('honours sizes up to 1000 and clamps larger ones to 1000', async () => {
    expect((await tenant.page({ pageSize: 7 })).contacts).toHaveLength(7);
    for (const pageSize of [1000, 1001, 5000, 1_000_000]) {
      const page = await tenant.page({ pageSize });
      expect(page.contacts).toHaveLength(1000);
      expect(page.nextPageToken).not.toBe('');
      const rest = await tenant.page({ pageSize, pageToken: page.nextPageToken });
      expect(rest.contacts).toHaveLength(total - 1000);
      expect(rest.nextPageToken).toBe('');
      const ids = [...page.contacts, ...rest.contacts].map((c) => c.id);
      expect(new Set(ids).size).toBe(total);
    }
  });
});

describe('invalid pageSize', () => {
  const tenant = new TestTenant();

  it.each(['-1', '1.5', 'abc', '10px', ' '])('answers 400 for pageSize=%p', async (pageSize) => {
    expectProblem(await tenant.list({ pageSize }), 400, 'INVALID_QUERY_PARAMETER');
  });
});
