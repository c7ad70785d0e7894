import { backendEnv, freshSqliteUrl, isolatedServerEnv } from '../support/backend';
import { clusterReplicas } from '../support/cluster';
import { RunningServer, startServer } from '../support/server';
import { testTarget } from '../support/test-target';

export interface Replicas {
  urls: string[];
  stop: () => Promise<void>;
}

/**
 * `count` API processes on one database. With `env` (or off the cluster target) they are
 * started for the caller: API-only on the shared MariaDB + Redis, or, on the embedded default,
 * full processes on one SQLite file of their own (started one after the other, as each migrates
 * it at start). Callers that import nothing are safe there: no in-process queue has work.
 * Without `env` on the cluster target they are the suite's own API processes.
 */
export async function replicas(count = 2, env: Record<string, string> = {}): Promise<Replicas> {
  const shared = clusterReplicas();
  if (Object.keys(env).length === 0 && shared.length >= count) {
    return { urls: shared.slice(0, count), stop: async () => undefined };
  }
  const servers: RunningServer[] = [];
  const stop = () => Promise.all(servers.map((s) => s.stop())).then(() => undefined);
  try {
    if (testTarget() === 'mariadb') {
      servers.push(
        ...(await Promise.all(
          Array.from({ length: count }, () => startServer({ ...isolatedServerEnv(), ...env })),
        )),
      );
    } else {
      const file = { ...backendEnv(), DATABASE_URL: freshSqliteUrl(), ...env };
      for (let i = 0; i < count; i++) servers.push(await startServer(file));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { urls: servers.map((s) => s.url), stop };
}
