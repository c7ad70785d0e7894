import { backendEnv, freshSqliteUrl, resetMariaDb } from './backend';
import { RunningCluster, startCluster } from './cluster';
import { RunningServer, startServer } from './server';
import { isCluster, testTarget } from './test-target';

declare global {
  var e2eServer: RunningServer | RunningCluster | undefined;
}

/** One shared server per run; tests isolate themselves by using their own tenants. */
export default async function globalSetup(): Promise<void> {
  if (testTarget() === 'mariadb') {
    await resetMariaDb();
  } else {
    process.env.E2E_SQLITE_URL = freshSqliteUrl();
  }
  const server = isCluster() ? await startCluster() : await startServer(backendEnv());
  globalThis.e2eServer = server;
  process.env.E2E_API_URL = server.url;
  if ('replicas' in server) process.env.E2E_API_REPLICAS = server.replicas.join(',');
  console.log(
    `
[e2e] Node ${process.version}, backend: ${isCluster() ? 'cluster' : testTarget()} (${backendEnv().DATABASE_URL.replace(/:[^:@/]*@/, ':***@')}) at ${server.url}`,
  );
}
