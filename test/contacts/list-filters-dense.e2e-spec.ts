import { isolatedServerEnv } from '../support/backend';
import { RunningServer, startServer } from '../support/server';
import { describeListFilters } from './list-filter-cases';

/**
 * The same cases on a server with LIST_CANDIDATE_LIMIT=0: every filter is treated as dense, so
 * pages come from walking the sort index with per-contact probes instead of an id lookup.
 */
describe('dense-match path', () => {
  let server: RunningServer;
  const sharedUrl = process.env.E2E_API_URL;

  beforeAll(async () => {
    server = await startServer({ ...isolatedServerEnv(), LIST_CANDIDATE_LIMIT: '0' });
    process.env.E2E_API_URL = server.url;
  });

  afterAll(async () => {
    process.env.E2E_API_URL = sharedUrl;
    await server?.stop();
  });

  describeListFilters('GET /v1/contacts filters (dense path)');
});
