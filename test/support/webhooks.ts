import Redis from 'ioredis';
import { createServer, Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { api } from './api';
import { backendEnv, freshSqliteUrl } from './backend';
import { dropIsolatedDatabase, isolatedMariaDbStack } from './isolated-stack';
import { testTarget } from './test-target';
import { logLines, messageOf } from './worker';

type Headers = Record<string, string>;

/** POST /v1/webhooks on `url`, asserting a 201. */
export async function subscribe(url: string, headers: Headers, body: Record<string, unknown>) {
  const response = await api(url).post('/v1/webhooks').set(headers).send(body);
  if (response.status !== 201) {
    throw new Error(`${response.status} ${JSON.stringify(response.body)}`);
  }
  return response.body as { id: string; secret: string };
}

/**
 * A database (and on MariaDB a Bull queue prefix, with Redis) of a spec's own, so the suite's
 * shared server neither fans out nor delivers its events. `drop` removes it afterwards.
 */
export async function ownStack(
  name: string,
): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  if (testTarget() === 'embedded') {
    return { env: { ...backendEnv(), DATABASE_URL: freshSqliteUrl() }, drop: async () => {} };
  }
  const env = await isolatedMariaDbStack(`${name}_${process.pid}`);
  return { env, drop: () => dropIsolatedDatabase(env) };
}

/** The object messages of a process's JSON log lines with this message. */
export function logged(output: string, message: string): Record<string, unknown>[] {
  return logLines(output)
    .filter((line) => messageOf(line) === message)
    .map((line) => line.message as Record<string, unknown>);
}

/** Waits until the predicate holds, polling. */
export async function eventually(predicate: () => boolean | Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A TCP listener that only counts connections: proof that nothing even tried to connect. */
export async function connectionCounter(): Promise<{
  port: number;
  count: () => number;
  close: () => Promise<void>;
}> {
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    count: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface BullJob {
  id: string;
  name: string;
  data: Record<string, unknown>;
}

/** The jobs of the webhook Bull queue under a QUEUE_PREFIX, by state, read from Redis. */
export async function webhookJobs(
  redisUrl: string,
  prefix: string,
  state: 'wait' | 'active' | 'delayed',
): Promise<BullJob[]> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const key = `${prefix}:webhook-deliveries`;
    const ids =
      state === 'delayed'
        ? await redis.zrange(`${key}:delayed`, 0, -1)
        : await redis.lrange(`${key}:${state}`, 0, -1);
    const jobs: BullJob[] = [];
    for (const id of ids) {
      const hash = await redis.hgetall(`${key}:${id}`);
      if (hash.name) jobs.push({ id, name: hash.name, data: JSON.parse(hash.data ?? '{}') });
    }
    return jobs;
  } finally {
    redis.disconnect();
  }
}
