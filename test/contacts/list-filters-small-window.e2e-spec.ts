import { isolatedServerEnv } from '../support/backend';
import { RunningServer, startServer } from '../support/server';
import { describeListFilters } from './list-filter-cases';

/**
 * The same cases on a server with LIST_CANDIDATE_LIMIT=2, so the search window is 4 contacts:
 * a search goes past its window, finds most terms too common for an id lookup, and walks on
 * from the end of the window, as a search over a large tenant does.
 */
describe('search past its window', () => {
  let server: RunningServer;
  const sharedUrl = process.env.E2E_API_URL;

  beforeAll(async () => {
    server = await startServer({ ...isolatedServerEnv(), LIST_CANDIDATE_LIMIT: '2' });
    process.env.E2E_API_URL = server.url;
  });

  afterAll(async () => {
    process.env.E2E_API_URL = sharedUrl;
    await server?.stop();
  });

  describeListFilters('GET /v1/contacts filters (small search window)');
});
