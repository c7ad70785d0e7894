import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sign } from 'jsonwebtoken';
import { createPool, Pool } from 'mysql2/promise';
import {
  migrate,
  resetDatabase,
  ROOT,
  runBench,
  SECRET,
  startServer,
  stopServer,
  waitHealthy,
} from './bench-processes';
import { clusterImport } from './cluster-import';
import { costScenario } from './cost-scenario';
import { FEED_TENANT, seedEvents, walkFeed } from './feed-bench';
import { writeCsv } from './import-bench';
import { importScenario, settle } from './import-scenario';
import { httpScenarios } from './http-scenarios';
import { reuseSeededTenant, SeededTenant, seedTenant } from './seed';
import { indexSeeded, storagePerContact } from './search-storage';
import { countSeededTags } from './tag-counts';
import { runSoak } from './soak';

const SCOPES =
  'contact:list contact:read contact:create contact:update contact:delete tag:list tag:create tag:delete custom_field:list custom_field:create custom_field:update custom_field:delete';

const { values: args } = parseArgs({
  options: {
    contacts: { type: 'string', default: '1000000' },
    'import-rows': { type: 'string' },
    'import-rounds': { type: 'string', default: '1' },
    'feed-events': { type: 'string', default: '1000000' },
    scenarios: { type: 'string', default: 'all' },
    duration: { type: 'string' },
    connections: { type: 'string', default: '4' },
    seed: { type: 'string', default: '42' },
    'reuse-seed': { type: 'boolean', default: false },
    'cluster-imports': { type: 'string', default: '4' },
    'cluster-rows': { type: 'string', default: '250000' },
    soak: { type: 'boolean', default: false },
    only: { type: 'string' },
    'other-contacts': { type: 'string' },
    'before-build': { type: 'string' },
    'cost-outbox-off': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});

if (args.help) {
  console.log(`npm run bench -- [--contacts 1000000] [--import-rows N] [--import-rounds 1] [--scenarios all|http,import]
                    [--duration 10 (2 below 500k contacts)] [--connections 4] [--seed 42]
                    [--reuse-seed] [--scenarios cluster-import --cluster-imports 4 --cluster-rows 250000]
                    [--only <regexp of scenario names>] [--other-contacts N]
                    [--scenarios cost --before-build <root of an older build> --import-rows N --import-rounds R
                     [--cost-outbox-off]]
Seeds two tenants of N contacts each (tenant B: --other-contacts) on MariaDB, runs the HTTP scenarios with autocannon against the
built server beside their baselines, then the CSV import with its plain-INSERT baseline, with
and without the event outbox (EVENT_OUTBOX=off), --import-rounds times in alternating order.
--reuse-seed keeps the database of an earlier run with the same --contacts instead of seeding
again (about 5 minutes at 1M); the scenarios that write leave their rows behind.
cluster-import (only when named; it recreates the database before each run): that many
concurrent imports of that many rows on 1 worker, then on 2 workers.
cost (with --before-build): the import and create contact by the older build's processes and by
this build's, on the same seeded database, --import-rounds times in alternating order;
--cost-outbox-off adds this build with EVENT_OUTBOX=off.
BENCH_DATABASE_URL / BENCH_REDIS_URL override the local services started by scripts/services.sh.
--soak instead runs the soak (bench/soak.ts): 16 connections of mixed reads and writes on
50,000 seeded contacts for 300 s (--duration overrides), reporting errors, RSS and p99 per minute.`);
  process.exit(0);
}

const contactsPerTenant = Number(args.contacts);
/** Tenant B's size: the other tenant on the same tables (default: as many as tenant A). */
const otherContacts = Number(args['other-contacts'] ?? contactsPerTenant);
const importRows = Number(args['import-rows'] ?? Math.min(contactsPerTenant, 1_000_000));
// Long enough for stable percentiles at full scale, short for a smoke run.
const durationSeconds = Number(args.duration ?? (contactsPerTenant >= 500_000 ? 10 : 2));
const connections = Number(args.connections);
const seed = Number(args.seed);
const wanted = new Set(
  args.scenarios === 'all' ? ['http', 'import', 'feed'] : args.scenarios.split(','),
);
// --before-build is what the cost group compares against: giving it asks for the group.
if (args['before-build']) wanted.add('cost');
if (wanted.has('cost') && !args['before-build']) {
  throw new Error('--scenarios cost needs --before-build <root of the older build>');
}
const workDir = mkdtempSync(join(tmpdir(), 'contacts-bench-'));
const lines: string[] = [];
// BENCH_PORT moves the bench's servers (this port and the next) off the default 3900.
const BASE_PORT = Number(process.env.BENCH_PORT ?? 3900);

function log(message: string) {
  console.log(`[bench] ${message}`);
}

function token(tenantId: string): string {
  return sign({ tenantId, role: 'admin', scope: SCOPES }, SECRET, {
    subject: 'usr_bench',
    expiresIn: 3600 * 4,
  });
}

function databaseUrls() {
  if (process.env.BENCH_DATABASE_URL) {
    return {
      database: process.env.BENCH_DATABASE_URL,
      redis: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/12',
    };
  }
  execFileSync('bash', [join(ROOT, 'scripts', 'services.sh')], { stdio: 'inherit' });
  return {
    database: 'mysql://contacts:contacts@127.0.0.1:3306/contacts_bench',
    redis: 'redis://127.0.0.1:6379/12',
  };
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/** The change feed read 1,000 events a page through `feed-events` seeded events. */
async function feedScenario(pool: Pool, urls: { database: string; redis: string }) {
  const count = Number(args['feed-events']);
  log(`feed: seeding ${count} events`);
  await seedEvents(pool, count);
  const port = BASE_PORT + 1;
  const baseUrl = `http://127.0.0.1:${port}`;
  const api = startServer('dist/src/main.js', {
    DATABASE_URL: urls.database,
    REDIS_URL: urls.redis,
    PORT: String(port),
    PROCESS_ROLE: 'api',
  });
  await waitHealthy(baseUrl);
  const runs = [];
  for (let run = 0; run < 2; run++) runs.push(await walkFeed(baseUrl, token(FEED_TENANT)));
  await stopServer(api);
  lines.push(
    '',
    `| change feed (${count} events, pageSize 1000, one consumer) | events | seconds | events/s |`,
    '| --- | ---: | ---: | ---: |',
    ...runs.map(
      (r, i) =>
        `| walk ${i + 1} | ${r.events} | ${fmt(r.seconds)} | ${fmt(r.events / r.seconds, 0)} |`,
    ),
  );
}

/** --scenarios cluster-import: concurrent imports on 1 worker, then 2, each on a fresh database. */
async function clusterImportScenario(urls: { database: string; redis: string }) {
  const rows = Number(args['cluster-rows']);
  const imports = Number(args['cluster-imports']);
  const csv = join(workDir, 'cluster-import.csv');
  log(`cluster import: writing ${rows} rows to ${csv}`);
  await writeCsv(csv, rows, seed + 9);
  lines.push(
    '',
    `| ${imports} concurrent imports × ${rows} rows | workers | seconds | rows/s | each completed after (s) | batches per worker |`,
    '| --- | ---: | ---: | ---: | --- | --- |',
  );
  const runs = [];
  for (const workers of [1, 2]) {
    await resetDatabase(urls.database);
    execFileSync('redis-cli', ['-u', urls.redis, 'FLUSHDB'], { stdio: 'ignore' });
    log(`cluster import: ${imports} × ${rows} rows on ${workers} worker(s)`);
    const run = await clusterImport({
      env: {
        DATABASE_URL: urls.database,
        REDIS_URL: urls.redis,
        JWT_SECRET: SECRET,
        IMPORT_MAX_BYTES: String(1024 ** 3),
        // Tests may share this Redis database: their workers must not take the bench's jobs.
        QUEUE_PREFIX: 'bench',
      },
      port: BASE_PORT + 1,
      csv,
      rows,
      imports,
      workers,
      token,
    });
    if (run.created !== imports * rows) throw new Error(`created ${run.created} contacts`);
    runs.push(run);
    log(`cluster import: ${workers} worker(s): ${fmt(run.rowsPerSecond, 0)} rows/s`);
    lines.push(
      `| | ${workers} | ${fmt(run.seconds)} | ${fmt(run.rowsPerSecond, 0)} | ${run.completedAfter.map((s) => fmt(s)).join(', ')} | ${run.batchesPerWorker.join(', ')} |`,
    );
  }
  lines.push(
    `| ratio 2 workers / 1 worker | | | ${fmt(runs[1].rowsPerSecond / runs[0].rowsPerSecond, 2)} | | |`,
  );
}

async function main() {
  const began = Date.now();
  const urls = databaseUrls();
  if (args.soak) {
    const soak = await runSoak({
      databaseUrl: urls.database,
      redisUrl: urls.redis,
      port: BASE_PORT,
      durationSeconds: Number(args.duration ?? 300),
      connections: 16,
      contacts: 50_000,
    });
    console.log('\n' + soak.markdown);
    process.exit(soak.errors === 0 ? 0 : 1);
  }
  let pool = createPool({ uri: urls.database, connectionLimit: 8, timezone: 'Z' });
  const reused = args['reuse-seed']
    ? await reuseSeededTenant(pool, 'tn_bench_a', contactsPerTenant).catch(() => null)
    : null;
  if (!reused) {
    await pool.end();
    log(`resetting ${urls.database.replace(/:[^:@/]*@/, ':***@')}`);
    await resetDatabase(urls.database);
    pool = createPool({ uri: urls.database, connectionLimit: 8, timezone: 'Z' });
  } else {
    // A seed from an older build lacks the tables of later migrations (tag_counts was one).
    migrate(urls.database);
  }
  execFileSync('redis-cli', ['-u', urls.redis, 'FLUSHDB'], { stdio: 'ignore' });

  let explains: string[] = [];
  let tenant: SeededTenant;
  // The cost group measures on the seeded tables too: the index's cost grows with them.
  if (wanted.has('http') || wanted.has('cost')) {
    if (reused) {
      tenant = reused;
      log(`reusing the seeded ${contactsPerTenant} + ${otherContacts} contacts`);
      lines.push(
        `Reused ${contactsPerTenant} + ${otherContacts} seeded contacts (--reuse-seed). autocannon: ${durationSeconds} s per scenario, ${connections} connections; floor: raw SQL of the same shape through mysql2, ${connections} concurrent loops.`,
        '',
      );
    } else {
      const seedStarted = Date.now();
      tenant = await seedTenant(pool, 'tn_bench_a', contactsPerTenant, seed, 48500000000, (n) => {
        if (n % 100_000 === 0) log(`seeded ${n} contacts in tenant A`);
      });
      await seedTenant(pool, 'tn_bench_b', otherContacts, seed + 1, 48600000000);
      // Seeding writes the tables directly: the backfill migration's code indexes and counts them.
      const indexStarted = Date.now();
      await indexSeeded(pool, (n) => {
        if (n % 200_000 === 0) log(`indexed ${n} contacts`);
      });
      const indexSeconds = (Date.now() - indexStarted) / 1000;
      log(`search index and counters built in ${fmt(indexSeconds)} s`);
      lines.push(
        `Search index and counters backfilled for ${contactsPerTenant} + ${otherContacts} contacts in ${fmt(indexSeconds)} s (batches of 2,000).`,
        '',
      );
      const tagSeconds = await countSeededTags(pool);
      lines.push(`Tag counts backfilled (migration 1796500000000) in ${fmt(tagSeconds)} s.`, '');
      await pool.query(
        'ANALYZE TABLE contacts, contact_identities, contact_field_values, contact_tags, tags, contact_search_grams',
      );
      await settle(pool);
      log(
        `seeded ${contactsPerTenant} + ${otherContacts} contacts in ${fmt((Date.now() - seedStarted) / 1000)} s`,
      );
      lines.push(
        `Seeded ${contactsPerTenant} + ${otherContacts} contacts in ${fmt((Date.now() - seedStarted) / 1000)} s. autocannon: ${durationSeconds} s per scenario, ${connections} connections; floor: raw SQL of the same shape through mysql2, ${connections} concurrent loops.`,
        '',
      );
    }
    if (wanted.has('http')) {
      const http = await httpScenarios(pool, {
        urls,
        port: BASE_PORT,
        tenant,
        durationSeconds,
        connections,
        only: args.only ? new RegExp(args.only, 'i') : undefined,
        token,
        log,
      });
      explains = http.explains;
      lines.push(...http.lines, '', ...(await storagePerContact(pool)));
    }
  }
  // What the import and cost scenarios share: the same CSV, rounds and servers' port.
  const importOptions = {
    urls,
    port: BASE_PORT + 1,
    workDir,
    rows: importRows,
    seed,
    rounds: Number(args['import-rounds']),
    token,
    log,
  };
  if (wanted.has('import')) {
    lines.push(...(await importScenario(pool, importOptions)));
  }
  if (wanted.has('cost')) {
    lines.push(
      ...(await costScenario(pool, {
        ...importOptions,
        beforeRoot: args['before-build']!,
        durationSeconds,
        outboxOff: args['cost-outbox-off'],
      })),
    );
  }
  if (wanted.has('feed')) {
    await feedScenario(pool, urls);
  }
  if (wanted.has('cluster-import')) await clusterImportScenario(urls);
  await pool.end();

  const header = `# Benchmark results\n\n${new Date().toISOString()}, Node ${process.version}, MariaDB + Redis, total ${fmt((Date.now() - began) / 1000)} s\n`;
  const report = [
    header,
    ...lines,
    '',
    explains.length ? '### EXPLAIN of each list query shape\n' : '',
    ...explains,
  ].join('\n');
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'latest.md'), report);
  console.log('\n' + report);
}

runBench(main, log);
