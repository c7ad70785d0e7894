/**
 * A JSON request claims its Idempotency-Key in its own transaction (CONTRACT section 11): a
 * concurrent first request on another process waits for that row's lock, then gets the replay
 * if the holder committed, or runs afresh if the holder rolled back. The holder is made slow by
 * a contact row lock the test holds, which its archive waits for after claiming the key.
 */
import { Connection, createConnection } from 'mysql2/promise';
import request from 'supertest';
import { api, apiUrl, as, expectProblem, newTenantId } from '../support/api';
import { isolatedServerEnv } from '../support/backend';
import { RunningServer, startServer } from '../support/server';
import { requiredEnv, testTarget } from '../support/test-target';

const KEY = 'Idempotency-Key';
const SHORT_TIMEOUT_MS = 2_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the request now; supertest only sends once it is awaited. */
const started = (test: request.Test): Promise<request.Response> => test.then((r) => r);

/** A transaction of the test's own holding the row lock of a contact. */
async function lockContact(tenantId: string, id: string): Promise<() => Promise<void>> {
  const connection = await createConnection(requiredEnv('TEST_DATABASE_URL'));
  await connection.query('START TRANSACTION');
  await connection.query('SELECT id FROM contacts WHERE tenant_id = ? AND id = ? FOR UPDATE', [
    tenantId,
    id,
  ]);
  return async () => {
    await connection.query('ROLLBACK');
    await connection.end();
  };
}

/** Waits until some transaction holds the (uncommitted) row of the key. */
async function waitForKeyHeld(probe: Connection, tenantId: string, key: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      // READ COMMITTED: a locking read of a missing row takes no gap lock to block the claim.
      await probe.query(
        'SELECT idem_key FROM idempotency_keys WHERE tenant_id = ? AND idem_key = ? FOR UPDATE NOWAIT',
        [tenantId, key],
      );
    } catch {
      return; // locked by the running request
    }
    if (Date.now() > deadline) throw new Error('no request claimed the key');
    await sleep(50);
  }
}

const describeOnMariaDb = testTarget() === 'mariadb' ? describe : describe.skip;

describeOnMariaDb('Idempotency-Key: a request waits for the key of a running one', () => {
  let slow: RunningServer;
  let other: RunningServer;
  let probe: Connection;

  beforeAll(async () => {
    // `slow` answers 503 after SHORT_TIMEOUT_MS; `other` waits the default 10 s.
    [slow, other] = await Promise.all([
      startServer({ ...isolatedServerEnv(), REQUEST_TIMEOUT_MS: String(SHORT_TIMEOUT_MS) }),
      startServer(isolatedServerEnv()),
    ]);
    probe = await createConnection(requiredEnv('TEST_DATABASE_URL'));
    await probe.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
  }, 180_000);

  afterAll(async () => {
    await probe?.end();
    await Promise.all([slow?.stop(), other?.stop()]);
  });

  async function newContact(headers: Record<string, string>): Promise<string> {
    const created = await api(other.url).post('/v1/contacts').set(headers).send({ name: 'Ann' });
    expect(created.status).toBe(201);
    return created.body.id as string;
  }

  const archivedCount = async (headers: Record<string, string>) =>
    (await api(other.url).get('/v1/contacts/count?archived=true').set(headers)).body
      .totalSize as number;

  it('the holder commits: a request waiting on another process gets its replay', async () => {
    const tenantId = newTenantId();
    const headers = { ...as(tenantId), [KEY]: 'wait-then-replay' };
    const id = await newContact(as(tenantId));
    const unlock = await lockContact(tenantId, id);
    let first: Promise<request.Response>;
    let waiting: Promise<request.Response>;
    try {
      first = started(api(slow.url).post(`/v1/contacts/${id}/archive`).set(headers));
      await waitForKeyHeld(probe, tenantId, 'wait-then-replay');
      waiting = started(api(other.url).post(`/v1/contacts/${id}/archive`).set(headers));
      // The holder's own process answers at once rather than holding a connection to wait.
      const same = await api(slow.url).post(`/v1/contacts/${id}/archive`).set(headers);
      expectProblem(same, 409, 'IDEMPOTENCY_KEY_IN_USE');
      expect(same.headers['retry-after']).toBe('1');
      await sleep(200);
    } finally {
      await unlock();
    }
    const [ran, replayed] = await Promise.all([first, waiting]);
    expect(ran.status).toBe(204);
    expect(ran.headers['idempotent-replayed']).toBeUndefined();
    expect(replayed.status).toBe(204);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.headers.etag).toBe(ran.headers.etag);
    expect(await archivedCount(as(tenantId))).toBe(1);
  }, 60_000);

  it('the holder fails with a 5xx: its claim rolls back and the waiting requests run once', async () => {
    const tenantId = newTenantId();
    const key = 'holder-rolled-back';
    const headers = { ...as(tenantId), [KEY]: key };
    const id = await newContact(as(tenantId));
    const unlock = await lockContact(tenantId, id);
    let waiting: Promise<request.Response>[];
    try {
      const first = started(api(slow.url).post(`/v1/contacts/${id}/archive`).set(headers));
      await waitForKeyHeld(probe, tenantId, key);
      // Two waiters on two processes: when the holder rolls back, InnoDB may pick one of them
      // as a deadlock victim, which must end as a replay, never as a 500.
      waiting = [other.url, apiUrl()].map((url) =>
        started(api(url).post(`/v1/contacts/${id}/archive`).set(headers)),
      );
      await sleep(200);
      const failed = await first; // out of time while it waits for the contact
      expectProblem(failed, 503);
    } finally {
      await unlock();
    }
    const responses = await Promise.all(waiting);
    for (const response of responses) {
      if (response.status !== 204) expectProblem(response, 409, 'IDEMPOTENCY_KEY_IN_USE');
    }
    const fresh = responses.filter(
      (r) => r.status === 204 && r.headers['idempotent-replayed'] === undefined,
    );
    expect(fresh).toHaveLength(1);
    // The holder's process let the key go too: its retry is the replay.
    const retry = await api(slow.url).post(`/v1/contacts/${id}/archive`).set(headers);
    expect(retry.status).toBe(204);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.headers.etag).toBe(fresh[0].headers.etag);
    expect(await archivedCount(as(tenantId))).toBe(1);
  }, 60_000);
});
