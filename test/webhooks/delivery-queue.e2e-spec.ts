import { api, as, newTenantId } from '../support/api';
import { Receiver, runSql, startReceiver } from '../support/events';
import { RunningServer, startServer } from '../support/server';
import { TcpProxy } from '../support/tcp-proxy';
import { requiredEnv, testTarget } from '../support/test-target';
import { RunningWorker, startWorker } from '../support/worker';
import {
  BullJob,
  connectionCounter,
  eventually,
  logged,
  ownStack,
  subscribe,
  webhookJobs,
} from '../support/webhooks';

type Headers = Record<string, string>;

async function createContact(url: string, headers: Headers): Promise<string> {
  const response = await api(url).post('/v1/contacts').set(headers).send({ name: 'Ada' });
  expect(response.status).toBe(201);
  return response.body.id as string;
}

/** Rows left in `webhook_deliveries` for a subscription (mysql2 answers [rows, fields]). */
async function pendingDeliveries(databaseUrl: string, webhookId: string): Promise<number> {
  const sql = 'SELECT COUNT(*) AS n FROM webhook_deliveries WHERE webhook_id = ?';
  const result = (await runSql(databaseUrl, sql, [webhookId])) as unknown[];
  const rows = (Array.isArray(result[0]) ? result[0] : result) as { n: number | string }[];
  return Number(rows[0].n);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Deliveries go through the queue (Bull with Redis, in-process on the embedded default) and the
 * `webhook_deliveries` rows stay the durable truth: a lost job only delays a delivery. Each
 * test has a database (and Bull prefix) of its own, so the suite's server delivers none of it.
 */
describe('Webhooks: delivery through the queue', () => {
  let receiver: Receiver;
  const servers: RunningServer[] = [];
  const workers: RunningWorker[] = [];
  const drops: (() => Promise<void>)[] = [];
  beforeEach(async () => (receiver = await startReceiver()));
  afterEach(async () => {
    await Promise.all([...servers.map((s) => s.stop()), ...workers.map((w) => w.stop())]);
    servers.length = workers.length = 0;
    await receiver.close();
  });
  afterAll(async () => {
    for (const drop of drops) await drop();
  });

  async function stack(
    name: string,
    extra: Record<string, string> = {},
  ): Promise<Record<string, string>> {
    const own = await ownStack(name);
    drops.push(own.drop);
    return { ...own.env, WEBHOOK_SWEEP_MS: '500', LOG_LEVEL: 'debug', ...extra };
  }

  async function server(env: Record<string, string>) {
    const started = await startServer(env);
    servers.push(started);
    return started;
  }

  it('a retry a stopped process had scheduled is sent, after its backoff, by the next process', async () => {
    receiver.respond((_req, index) => (index === 0 ? 500 : 204));
    const env = await stack('wh_resume');
    const first = await server(env);
    const headers = as(newTenantId());
    await subscribe(first.url, headers, { url: `${receiver.url}/resume` });
    const contactId = await createContact(first.url, headers);
    await receiver.waitFor((r) => r.length === 1);
    await first.stop();

    // Embedded: the in-process retry timer died with the process and the sweep finds the row
    // due. MariaDB: the delayed Bull job outlives the process and the next worker runs it.
    const second = await server(env);
    await receiver.waitFor((r) => r.length === 2, 30_000);
    const [failed, retried] = receiver.received;
    expect(retried.headers['webhook-id']).toBe(failed.headers['webhook-id']);
    expect(retried.at - failed.at).toBeGreaterThanOrEqual(4_900); // the first backoff: 5 s
    expect(JSON.parse(retried.body)).toMatchObject({ type: 'contact.created', contactId });
    await pause(1500);
    expect(receiver.received).toHaveLength(2);
    expect(logged(second.output(), 'webhook delivered')).toHaveLength(1);
  }, 90_000);

  it('in production, a host that now resolves to a private address is not POSTed to: a failed attempt', async () => {
    const counter = await connectionCounter();
    try {
      const env = await stack('wh_recheck', { NODE_ENV: 'production' });
      const prod = await server(env);
      const tenantId = newTenantId();
      const headers = as(tenantId);
      const webhook = await subscribe(prod.url, headers, { url: 'https://93.184.215.14/hook' });
      // As if its DNS now pointed at our own network (the URL rule passed at creation).
      await runSql(env.DATABASE_URL, 'UPDATE webhooks SET url = ? WHERE tenant_id = ? AND id = ?', [
        `https://127.0.0.1:${counter.port}/hook`,
        tenantId,
        webhook.id,
      ]);
      await createContact(prod.url, headers);
      await eventually(
        () =>
          logged(prod.output(), 'webhook delivery failed').some((m) => m.webhookId === webhook.id),
        20_000,
      );
      const [failure] = logged(prod.output(), 'webhook delivery failed');
      expect(failure).toMatchObject({ attempts: 0, retryAt: expect.any(String) });
      expect(failure.outcome).toMatch(/^url refused: must not point to a loopback/);
      expect(counter.count()).toBe(0);
      expect(logged(prod.output(), 'webhook delivered')).toEqual([]);
    } finally {
      await counter.close();
    }
  }, 60_000);

  if (testTarget() === 'mariadb') {
    it('a delivery is a Bull job under QUEUE_PREFIX; its retry a delayed job with the next attempt', async () => {
      receiver.respond((_req, index) => (index === 0 ? 500 : 204));
      const env = await stack('wh_bull');
      const worker = await server(env);
      const headers = as(newTenantId());
      const webhook = await subscribe(worker.url, headers, { url: `${receiver.url}/bull` });
      await createContact(worker.url, headers);
      await receiver.waitFor((r) => r.length === 1);

      const ours = (jobs: BullJob[]) => jobs.filter((job) => job.data.webhookId === webhook.id);
      let delayed: BullJob[] = [];
      await eventually(async () => {
        delayed = ours(await webhookJobs(env.REDIS_URL, env.QUEUE_PREFIX, 'delayed'));
        return delayed.length > 0;
      }, 5_000);
      expect(delayed).toEqual([
        {
          id: expect.stringMatching(new RegExp(`^${webhook.id}\\.\\d+\\.1$`)),
          name: 'deliver-webhook',
          data: {
            tenantId: expect.any(String),
            webhookId: webhook.id,
            eventSeq: expect.any(Number),
            attempts: 1,
          },
        },
      ]);

      await receiver.waitFor((r) => r.length === 2, 20_000);
      // Once the job is done nothing of it is left in Redis; the row is gone from the database.
      await eventually(async () => {
        for (const state of ['wait', 'active', 'delayed'] as const) {
          if (ours(await webhookJobs(env.REDIS_URL, env.QUEUE_PREFIX, state)).length > 0) {
            return false;
          }
        }
        return true;
      }, 5_000);
      expect(await pendingDeliveries(env.DATABASE_URL, webhook.id)).toBe(0);
      expect(logged(worker.output(), 'webhook delivered')).toEqual([
        expect.objectContaining({ webhookId: webhook.id, attempts: 1 }),
      ]);
    }, 60_000);

    it('with Redis away deliveries wait, and arrive once it is back (the sweep enqueues them)', async () => {
      const redis = TcpProxy.for(requiredEnv('TEST_REDIS_URL'));
      await redis.start();
      try {
        const env = await stack('wh_redis');
        const withProxy = await server({ ...env, REDIS_URL: redis.rewrite(env.REDIS_URL) });
        const headers = as(newTenantId());
        await subscribe(withProxy.url, headers, { url: `${receiver.url}/away` });

        redis.cut();
        const contactId = await createContact(withProxy.url, headers);
        await pause(3000);
        expect(receiver.received).toEqual([]);
        // The enqueue after the fan-out found Redis away: only the sweep can enqueue it now.
        expect(logged(withProxy.output(), 'webhook enqueue left to the sweep')).toContainEqual(
          expect.objectContaining({ by: 'fan-out', jobs: 1 }),
        );

        redis.restore();
        await receiver.waitFor((r) => r.length === 1, 30_000);
        expect(JSON.parse(receiver.received[0].body)).toMatchObject({ contactId });
        await pause(1500);
        expect(receiver.received).toHaveLength(1);
      } finally {
        redis.restore();
        await redis.stop();
      }
    }, 90_000);

    it('an API-only process (PROCESS_ROLE=api) delivers nothing: queued jobs wait for a worker', async () => {
      receiver.respond((_req, index) => (index === 0 ? 500 : 204));
      const env = await stack('wh_api');
      const apiOnly = await server({ ...env, PROCESS_ROLE: 'api' });
      const headers = as(newTenantId());
      const webhook = await subscribe(apiOnly.url, headers, { url: `${receiver.url}/api` });
      await createContact(apiOnly.url, headers);
      await pause(2000);
      expect(receiver.received).toEqual([]); // no worker: nothing is even fanned out

      const first = await startWorker(env);
      workers.push(first);
      await receiver.waitFor((r) => r.length === 1);
      await first.stop();
      // The retry (due 5 s after the 500) sits in Redis with only the API process up.
      await pause(8000);
      expect(receiver.received).toHaveLength(1);
      const queued = [
        ...(await webhookJobs(env.REDIS_URL, env.QUEUE_PREFIX, 'wait')),
        ...(await webhookJobs(env.REDIS_URL, env.QUEUE_PREFIX, 'delayed')),
      ];
      expect(queued.filter((job) => job.data.webhookId === webhook.id)).toHaveLength(1);

      const second = await startWorker(env);
      workers.push(second);
      await receiver.waitFor((r) => r.length === 2);
      // Logged once the receiver's answer is in.
      await eventually(() => logged(second.output(), 'webhook delivered').length > 0, 5_000);
      expect(logged(second.output(), 'webhook delivered')).toHaveLength(1);
      expect(logged(apiOnly.output(), 'webhook delivered')).toEqual([]);
      expect(logged(apiOnly.output(), 'webhook delivery failed')).toEqual([]);
    }, 90_000);
  }
});
