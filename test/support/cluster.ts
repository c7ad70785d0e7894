import { backendEnv } from './backend';
import { startRoundRobinProxy } from './round-robin-proxy';
import { RunningServer, startServer } from './server';
import { RunningWorker, startWorker } from './worker';

/** The cluster target's shape: as in the docker-compose `cluster` profile. */
export const CLUSTER_APIS = 2;
export const CLUSTER_WORKERS = 2;

export interface RunningCluster {
  /** The round-robin proxy: the suite's shared server URL. */
  url: string;
  /** Each API process, for tests that address one replica on purpose. */
  replicas: string[];
  stop: () => Promise<void>;
}

/**
 * The shared "server" of TEST_TARGET=cluster: API processes (PROCESS_ROLE=api) and import
 * workers (PROCESS_ROLE=worker) on one MariaDB and one Redis, behind a round-robin proxy.
 */
export async function startCluster(): Promise<RunningCluster> {
  const env = backendEnv();
  // APIs first, then workers: fewer processes compiling at once on a busy machine. Whatever
  // started is stopped again if the rest fails (jest runs no teardown after a failed setup).
  const started: { stop: () => Promise<void> }[] = [];
  const track = async <T extends { stop: () => Promise<void> }>(member: Promise<T>) => {
    const value = await member;
    started.push(value);
    return value;
  };
  let apis: RunningServer[];
  let workers: RunningWorker[];
  try {
    apis = await Promise.all(
      Array.from({ length: CLUSTER_APIS }, () =>
        track(startServer({ ...env, PROCESS_ROLE: 'api' })),
      ),
    );
    workers = await Promise.all(
      Array.from({ length: CLUSTER_WORKERS }, () => track(startWorker(env))),
    );
  } catch (error) {
    await Promise.all(started.map((member) => member.stop()));
    throw error;
  }
  const replicas = apis.map((server) => server.url);
  const proxy = await startRoundRobinProxy(replicas);
  return {
    url: proxy.url,
    replicas,
    stop: async () => {
      await proxy.close();
      await Promise.all([...apis, ...workers].map((p) => p.stop()));
    },
  };
}

/** The API processes of the cluster target (set by global setup), or none on other targets. */
export function clusterReplicas(): string[] {
  return (process.env.E2E_API_REPLICAS ?? '').split(',').filter(Boolean);
}
