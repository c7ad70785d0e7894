import { api, as, newTenantId } from '../support/api';
import { ownDatabaseEnv, Receiver, startReceiver } from '../support/events';
import { dropIsolatedDatabase, isolatedMariaDbStack } from '../support/isolated-stack';
import { RunningServer, startServer } from '../support/server';
import { testTarget } from '../support/test-target';

/** The queues a delivery can go through: in-process everywhere, Bull on MariaDB + Redis. */
const QUEUES: (readonly [string, () => Promise<Record<string, string>>])[] = [
  ['in-process queue', () => ownDatabaseEnv('webhook_crash')],
  ...(testTarget() === 'mariadb'
    ? [['Bull queue', () => isolatedMariaDbStack(`webhook_crash_bull_${process.pid}`)] as const]
    : []),
];

/**
 * A process killed (SIGKILL) while a delivery is in flight loses no event: the delivery is a
 * database row leased for the attempt, and the next process sends it again once the lease ends.
 * The processes use a database (and Bull prefix) of their own so that the suite's server cannot
 * deliver it instead. With Bull the dead worker's job is taken over as stalled, or the sweep
 * enqueues the row again once its lease ends.
 */
describe('Webhooks: a worker killed mid-delivery', () => {
  let receiver: Receiver;
  const servers: RunningServer[] = [];
  let env: Record<string, string> | undefined;
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    servers.length = 0;
    await receiver?.close();
    if (env?.QUEUE_PREFIX) await dropIsolatedDatabase(env);
  });

  it.each(QUEUES)(
    'loses no event (%s): the restarted worker delivers it',
    async (_name, makeEnv) => {
      receiver = await startReceiver();
      // The first attempt never gets an answer: the process dies while it waits.
      receiver.respond((_req, index) => (index === 0 ? 'hang' : 204));
      env = await makeEnv();
      const first = await startServer(env);
      servers.push(first);
      const headers = as(newTenantId());
      await api(first.url)
        .post('/v1/webhooks')
        .set(headers)
        .send({ url: `${receiver.url}/crash` })
        .expect(201);
      const created = await api(first.url).post('/v1/contacts').set(headers).send({ name: 'Ada' });
      expect(created.status).toBe(201);
      await receiver.waitFor((r) => r.length === 1);

      first.process.kill('SIGKILL');
      await new Promise((resolve) => first.process.once('exit', resolve));
      const second = await startServer(env);
      servers.push(second);
      await receiver.waitFor((r) => r.length >= 2, 40_000);
      const [lost, delivered] = receiver.received;
      expect(delivered.headers['webhook-id']).toBe(lost.headers['webhook-id']);
      expect(JSON.parse(delivered.body)).toMatchObject({
        type: 'contact.created',
        contactId: created.body.id,
      });
    },
    90_000,
  );
});
