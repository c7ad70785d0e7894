import { backendEnv, freshSqliteUrl, resetMariaDb } from './backend';
import { RunningServer, startServer } from './server';
import { testTarget } from './test-target';

declare global {
  var e2eServer: RunningServer | undefined;
}

/** One shared server per run; tests isolate themselves by using their own tenants. */
export default async function globalSetup(): Promise<void> {
  if (testTarget() === 'mariadb') {
    await resetMariaDb();
  } else {
    process.env.E2E_SQLITE_URL = freshSqliteUrl();
  }
  const server = await startServer(backendEnv());
  globalThis.e2eServer = server;
  process.env.E2E_API_URL = server.url;
  console.log(
    `\n[e2e] Node ${process.version}, backend: ${testTarget()} (${backendEnv().DATABASE_URL.replace(/:[^:@/]*@/, ':***@')}) at ${server.url}`,
  );
}
