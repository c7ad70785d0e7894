import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createPool } from 'mysql2/promise';

/** The repository root, seen from `dist/bench/`. */
export const ROOT = join(__dirname, '..', '..');
/** The development secret every bench server and token shares. */
export const SECRET = 'bench-secret-that-is-long-enough-for-hs256!!';

/** Drops and recreates the database of `url` and runs the built migrations on it. */
export async function resetDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  target.pathname = '/';
  const pool = createPool({ uri: target.toString(), connectionLimit: 1 });
  await pool.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await pool.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await pool.end();
  migrate(url);
}

/** Runs the built migrations that the database of `url` lacks (none: nothing happens). */
export function migrate(url: string): void {
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'typeorm', 'cli.js'),
      'migration:run',
      '-d',
      join(ROOT, 'dist', 'src', 'database', 'migration-data-source.js'),
    ],
    { env: { ...process.env, DATABASE_URL: url, JWT_SECRET: SECRET }, stdio: 'ignore' },
  );
}

/** Every server a bench started and that still runs: stopped on any failure or signal too. */
const children = new Set<ChildProcess>();

/** The flags every production process runs with (start:prod, the Dockerfile, docker-compose). */
export const PRODUCTION_NODE_FLAGS = ['--max-semi-space-size=8'];

export interface StartOptions {
  /** Node's flags; PRODUCTION_NODE_FLAGS when absent, so a bench measures what production runs. */
  nodeFlags?: string[];
  /** 'pipe' to read the server's log lines (`child.stdout`); ignored by default. */
  stdout?: 'ignore' | 'pipe';
  /** The build the script is resolved in and runs from (default ROOT): e.g. an older commit's. */
  cwd?: string;
}

/**
 * Starts a built script (`dist/...`, relative to `options.cwd`) in production mode with the
 * bench's secret and no rate limits.
 */
export function startServer(
  script: string,
  env: Record<string, string>,
  options: StartOptions = {},
): ChildProcess {
  const child = spawn(process.execPath, [...(options.nodeFlags ?? PRODUCTION_NODE_FLAGS), script], {
    cwd: options.cwd ?? ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      JWT_SECRET: SECRET,
      LOG_LEVEL: 'warn',
      // Benchmarks measure the service, not its budgets (CONTRACT §14).
      RATE_LIMIT_PER_MINUTE: '0',
      ...env,
    },
    stdio: ['ignore', options.stdout ?? 'ignore', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Waits up to `seconds` (a start on a loaded 2-core machine takes long); fails at once when
 * one of `servers` exits instead. */
export async function waitHealthy(
  url: string,
  servers: ChildProcess[] = [],
  seconds = 120,
): Promise<void> {
  for (let i = 0; i < seconds * 10; i++) {
    const exited = servers.find((s) => s.exitCode !== null || s.signalCode !== null);
    if (exited)
      throw new Error(`server ${exited.pid} exited (${exited.exitCode}) before ${url} answered`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // starting
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server at ${url} did not start in ${seconds} s`);
}

/** SIGTERM, then SIGKILL after 10 s: a server that hangs on shutdown is still stopped. */
export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Runs a bench's `main` so that no server outlives it: SIGINT / SIGTERM and a failure stop
 * every server it started, and the process exits (1 on failure).
 */
export function runBench(main: () => Promise<unknown>, log: (message: string) => void): void {
  const stopAll = () => Promise.all([...children].map(stopServer));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping ${children.size} server(s)`);
      void stopAll().finally(() => process.exit(130));
    });
  }
  main()
    .catch((error) => {
      console.error(error);
      process.exitCode = 1;
    })
    .finally(async () => {
      if (children.size > 0) log(`stopping ${children.size} server(s) left by the failure`);
      await stopAll();
      process.exit();
    });
}
