import { api, as, expectProblem, newTenantId } from '../support/api';
import { changes, drain, nextEvents, ownDatabaseEnv, runSql, summary } from '../support/events';
import { RunningServer, startServer } from '../support/server';

async function createContact(url: string, headers: Record<string, string>, name: string) {
  const response = await api(url).post('/v1/contacts').set(headers).send({ name });
  expect(response.status).toBe(201);
  return response.body.id as string;
}

describe('Change feed retention (EVENT_RETENTION_DAYS)', () => {
  let server: RunningServer | undefined;
  afterAll(() => server?.stop());

  it('sweeps events older than the retention; a cursor from before them gets 410 CURSOR_EXPIRED', async () => {
    // A database of its own: the sweep is global, and it must not take the suite's events.
    const env = await ownDatabaseEnv('retention');
    server = await startServer({
      ...env,
      EVENT_RETENTION_DAYS: '30',
      EVENT_SWEEP_INTERVAL_SECONDS: '1',
    });
    const { url } = server;
    const headers = as(newTenantId());
    for (const name of ['A', 'B', 'C']) await createContact(url, headers, name);
    await nextEvents(headers, undefined, 3, { url });
    const early = (await changes(headers, undefined, { pageSize: 1, url })).nextCursor;
    const head = (await drain(headers, undefined, url)).cursor;

    // 31 days old now, as far as the sweep can tell.
    const old = new Date(Date.now() - 31 * 86_400_000).toISOString().replace('T', ' ').slice(0, 23);
    await runSql(env.DATABASE_URL, 'UPDATE contact_events SET occurred_at = ?', [old]);
    const fresh = await createContact(url, headers, 'D');

    const deadline = Date.now() + 20_000;
    let response = await api(url).get('/v1/contacts/changes').query({ after: early }).set(headers);
    while (response.status === 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      response = await api(url).get('/v1/contacts/changes').query({ after: early }).set(headers);
    }
    expectProblem(response, 410, 'CURSOR_EXPIRED');

    // Without a cursor: from the oldest retained event. The head cursor missed nothing: valid.
    expect(summary((await drain(headers, undefined, url)).events)).toEqual([
      `contact.created ${fresh}`,
    ]);
    expect(summary((await drain(headers, head, url)).events)).toEqual([`contact.created ${fresh}`]);
  }, 120_000);
});
