#!/usr/bin/env node
/**
 * `npm run start:cluster -- --api 2 --workers 2`: N API processes (PROCESS_ROLE=api) on
 * consecutive ports from PORT (default 3000) and M import workers (PROCESS_ROLE=worker), all on
 * one MySQL/MariaDB (DATABASE_URL) and one Redis (REDIS_URL). Migrations run first, once.
 * SIGTERM/SIGINT go to every child; the script exits when they have exited. If one child dies on
 * its own the others are stopped too: a cluster silently missing a member is worse than none.
 *
 * Plain JavaScript on purpose: it only spawns the built app (dist/), so it needs no build step
 * of its own.
 */
'use strict';
const { spawn } = require('node:child_process');
const { join } = require('node:path');
const { createInterface } = require('node:readline');

const ROOT = join(__dirname, '..');
const MAIN = join(ROOT, 'dist', 'src', 'main.js');
const MIGRATION_CLI = join(ROOT, 'node_modules', 'typeorm', 'cli.js');
const MIGRATION_SOURCE = join(ROOT, 'dist', 'src', 'database', 'migration-data-source.js');
/** Every process's young generation, as in start:prod and the Dockerfile (bench/ab.ts semi-space). */
const NODE_ARGS = ['--max-semi-space-size=8'];
/** The worker's heap cap, as in docker-compose's worker command. */
const WORKER_NODE_ARGS = ['--max-old-space-size=192', ...NODE_ARGS];

function fail(message) {
  console.error(`start-cluster: ${message}`);
  process.exit(2);
}

function parseArgs(argv) {
  const counts = { api: 2, workers: 2, migrate: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--no-migrate') counts.migrate = false;
    else if (arg === '--api' || arg === '--workers') {
      const value = argv[++i];
      if (!/^\d+$/.test(value ?? '') || Number(value) > 32) {
        fail(`${arg} needs a count between 0 and 32 (got "${value ?? ''}")`);
      }
      counts[arg.slice(2)] = Number(value);
    } else if (arg === '--help' || arg === '-h') {
      console.log('usage: npm run start:cluster -- [--api N] [--workers M] [--no-migrate]');
      process.exit(0);
    } else fail(`unknown argument "${arg}" (try --help)`);
  }
  if (counts.api + counts.workers === 0) fail('nothing to start: --api and --workers are both 0');
  return counts;
}

/** The settings the cluster needs, checked before anything starts. */
function checkEnv(env) {
  const databaseUrl = env.DATABASE_URL ?? '';
  if (databaseUrl === '' || databaseUrl.startsWith('sqlite:')) {
    fail(
      'DATABASE_URL must be a mysql:// URL. The embedded SQLite default runs imports on an ' +
        'in-process queue that other processes cannot share, so it cannot run as a cluster ' +
        '(use `npm start` for one process).',
    );
  }
  if (!/^(mysql|mariadb):\/\//.test(databaseUrl)) fail('DATABASE_URL must be a mysql:// URL');
  if (!/^rediss?:\/\//.test(env.REDIS_URL ?? '')) {
    fail('REDIS_URL must be a redis:// URL: the processes share the import queue through it');
  }
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail('PORT must be a port number');
  return port;
}

const children = [];
let stopping = false;
let exitCode = 0;

/** Spawns one child and prefixes each line of its output with its name. */
function run(name, args, env) {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    const target = stream === child.stdout ? process.stdout : process.stderr;
    createInterface({ input: stream }).on('line', (line) => target.write(`[${name}] ${line}\n`));
  }
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { name, child, exited };
}

async function migrate() {
  const { exited } = run('migrate', [MIGRATION_CLI, 'migration:run', '-d', MIGRATION_SOURCE], {});
  const { code, signal } = await exited;
  if (code !== 0) fail(`migrations failed (${signal ?? code}); nothing was started`);
}

async function waitHealthy(url, member) {
  for (;;) {
    if (member.child.exitCode !== null || member.child.signalCode !== null) return false;
    try {
      if ((await fetch(`${url}/health`)).ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function stopAll(signal) {
  if (stopping) return;
  stopping = true;
  for (const { child } of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  }
}

async function main() {
  const counts = parseArgs(process.argv.slice(2));
  const firstPort = checkEnv(process.env);
  // Registered first, so a signal during the migrations or the start reaches every child.
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => stopAll(signal));
  if (counts.migrate) await migrate();

  const urls = [];
  for (let i = 0; i < counts.api; i++) {
    const port = firstPort + i;
    urls.push(`http://127.0.0.1:${port}`);
    children.push(run(`api-${i + 1}`, [...NODE_ARGS, MAIN], { PROCESS_ROLE: 'api', PORT: String(port) }));
  }
  for (let i = 0; i < counts.workers; i++) {
    children.push(
      run(`worker-${i + 1}`, [...WORKER_NODE_ARGS, MAIN], { PROCESS_ROLE: 'worker' }),
    );
  }
  for (const member of children) {
    void member.exited.then(({ code, signal }) => {
      if (!stopping) {
        console.error(`start-cluster: ${member.name} exited (${signal ?? code}); stopping the rest`);
        exitCode = 1;
        stopAll('SIGTERM');
      }
    });
  }

  const healthy = await Promise.all(urls.map((url, i) => waitHealthy(url, children[i])));
  if (!stopping && healthy.every(Boolean)) {
    console.log(
      [
        '',
        `Cluster up: ${counts.api} API process(es), ${counts.workers} worker(s).`,
        ...urls.map((url, i) => `  api-${i + 1}: ${url}  (Swagger UI: ${url}/docs)`),
        'Ctrl-C (SIGINT) or SIGTERM stops them all.',
        '',
      ].join('\n'),
    );
  }
  await Promise.all(children.map((member) => member.exited));
  process.exit(exitCode);
}

void main();
