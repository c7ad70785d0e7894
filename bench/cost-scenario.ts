import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import {
  PRODUCTION_NODE_FLAGS,
  ROOT,
  startServer,
  stopServer,
  waitHealthy,
} from './bench-processes';
import { writeCsv } from './import-bench';
import {
  dropImportTenants,
  ImportRun,
  importOnce,
  ImportScenarioOptions,
  median,
  settle,
} from './import-scenario';
import { load, LoadRequest, Measurement } from './measure';

export interface CostScenarioOptions extends ImportScenarioOptions {
  /** The root of the older build (`dist/src/main.js` built there): "before". */
  beforeRoot: string;
  durationSeconds: number;
  /** Also this build with EVENT_OUTBOX=off: which part of the cost is the outbox's. */
  outboxOff: boolean;
}

/** A build as it runs: its root and extra environment; `key` names its tenants. */
interface Variant {
  key: string;
  label: string;
  cwd: string;
  env: Record<string, string>;
}

/** Create contact at these connection counts: a request on its own, and under load. */
const CONNECTIONS = [1, 16];

interface Result {
  import: ImportRun & { keyed: number };
  /** One measurement per entry of CONNECTIONS. */
  creates: Measurement[];
}

/** A round's results by variant key, and which variant went first. */
interface Round {
  first: string;
  results: Record<string, Result>;
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

// Named like the import scenario's tenants: its cleanup (and this one's) removes them.
const tenantOf = (variant: Variant, round: number, what: string) =>
  `tn_bench_import_cost_${variant.key}_${round}_${what}`;

// A fresh tenant per load run: every phone is new, no create answers 409.
const CREATE: LoadRequest = {
  method: 'POST',
  paths: ['/v1/contacts'],
  makeBody: (n) =>
    JSON.stringify({ name: 'Bench Create', phone: `+4851${String(n).padStart(7, '0')}` }),
};

function commitOf(root: string): string {
  try {
    return execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    return 'unknown commit';
  }
}

/**
 * Create contact against one variant's API process (its worker beside it, as deployed: the newer
 * build's sequences the events the creates write), after a warm-up, at each of CONNECTIONS.
 */
async function createRuns(
  pool: Pool,
  options: CostScenarioOptions,
  variant: Variant,
  round: number,
): Promise<Measurement[]> {
  const baseUrl = `http://127.0.0.1:${options.port}`;
  const env = {
    DATABASE_URL: options.urls.database,
    REDIS_URL: options.urls.redis,
    PORT: String(options.port),
    ...variant.env,
  };
  const { cwd } = variant;
  const api = startServer('dist/src/main.js', { ...env, PROCESS_ROLE: 'api' }, { cwd });
  const worker = startServer(
    'dist/src/main.js',
    { ...env, PROCESS_ROLE: 'worker' },
    { nodeFlags: [...PRODUCTION_NODE_FLAGS, '--max-old-space-size=192'], cwd },
  );
  try {
    await waitHealthy(baseUrl, [api, worker]);
    // JIT, the connection pool and the tenant's first rows: not what the rounds compare.
    await load(baseUrl, options.token(tenantOf(variant, round, 'warmup')), CREATE, {
      durationSeconds: Math.min(3, options.durationSeconds),
      connections: Math.max(...CONNECTIONS),
      name: `cost-${variant.key}-warmup`,
    });
    const runs: Measurement[] = [];
    for (const connections of CONNECTIONS) {
      await settle(pool);
      const auth = options.token(tenantOf(variant, round, `create${connections}`));
      runs.push(
        await load(baseUrl, auth, CREATE, {
          durationSeconds: options.durationSeconds,
          connections,
          name: `cost-${variant.key}-create-${connections}`,
        }),
      );
    }
    // The requests autocannon abandoned at the end still run: the older build has no shutdown
    // grace and would close its pool under them (logged errors, not counted ones).
    await new Promise((r) => setTimeout(r, 1000));
    return runs;
  } finally {
    await stopServer(api);
    await stopServer(worker);
  }
}

/** Contacts of the tenant that carry a search key: all for the indexed build, none before. */
async function keyedContacts(pool: Pool, tenantId: string): Promise<number> {
  const [[row]] = await pool.query<RowDataPacket[]>(
    'SELECT COUNT(*) AS n FROM contacts WHERE tenant_id = ? AND search_key IS NOT NULL',
    [tenantId],
  );
  return Number(row.n);
}

/**
 * The substring index's cost, before and after in one run on the same database: `rounds`
 * rounds of a CSV import by each build's API + worker, then create contact against each build's
 * API, the order reversed every other round so that drift in the machine's load, and the tables
 * growing, fall on both. Every import and every create run goes into a tenant of its own after
 * MariaDB has settled. Returns the report's lines.
 */
export async function costScenario(pool: Pool, options: CostScenarioOptions): Promise<string[]> {
  const { rows, log } = options;
  const beforeRoot = resolve(options.beforeRoot);
  if (!existsSync(join(beforeRoot, 'dist', 'src', 'main.js'))) {
    throw new Error(`--before-build ${beforeRoot}: no dist/src/main.js (npm run build there)`);
  }
  const variants: Variant[] = [
    { key: 'before', label: `before (${commitOf(beforeRoot)})`, cwd: beforeRoot, env: {} },
    { key: 'after', label: `after (${commitOf(ROOT)})`, cwd: ROOT, env: {} },
  ];
  if (options.outboxOff) {
    // Bench-only switch: the outbox's writes, not the sequencer, are what it turns off.
    variants.push({
      key: 'after_nooutbox',
      label: 'after, EVENT_OUTBOX=off',
      cwd: ROOT,
      env: { EVENT_OUTBOX: 'off' },
    });
  }
  await dropImportTenants(pool);
  const csv = join(options.workDir, 'cost-import.csv');
  log(`cost: writing ${rows} rows to ${csv}`);
  await writeCsv(csv, rows, options.seed + 11);
  const rounds: Round[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    const order = round % 2 === 1 ? variants : [...variants].reverse();
    const results: Record<string, Result> = {};
    for (const variant of order) {
      await settle(pool);
      log(`cost: round ${round}, ${variant.label}: import of ${rows} rows`);
      const tenantId = tenantOf(variant, round, 'import');
      const run = await importOnce(options, csv, tenantId, variant);
      if (run.status.status !== 'completed' || run.status.createdCount !== rows) {
        throw new Error(`cost import ${variant.key} round ${round}: ${JSON.stringify(run.status)}`);
      }
      const keyed = await keyedContacts(pool, tenantId);
      results[variant.key] = { import: { ...run, keyed }, creates: [] };
      log(`cost: round ${round}, ${variant.label}: ${fmt(rows / run.seconds, 0)} rows/s`);
    }
    for (const variant of order) {
      await settle(pool);
      log(`cost: round ${round}, ${variant.label}: create contact`);
      const creates = await createRuns(pool, options, variant, round);
      results[variant.key].creates = creates;
      log(
        `cost: round ${round}, ${variant.label}: create p50 ${creates.map((m) => fmt(m.p50Ms, 2)).join(' / ')} ms at ${CONNECTIONS.join(' / ')} connections`,
      );
    }
    rounds.push({ first: order[0].key, results });
  }
  return report(options, beforeRoot, csv, variants, rounds);
}

function report(
  options: CostScenarioOptions,
  beforeRoot: string,
  csv: string,
  variants: Variant[],
  rounds: Round[],
): string[] {
  const { rows } = options;
  const [before, ...others] = variants;
  type Pick = (r: Result) => number;
  const rowsPerSecond: Pick = (r) => rows / r.import.seconds;
  const create =
    (i: number, of: (m: Measurement) => number): Pick =>
    (r) =>
      of(r.creates[i]);
  // Each variant's median over the rounds, and the median of its rounds' ratios to before.
  const value = (v: Variant, of: Pick) => median(rounds.map((r) => of(r.results[v.key])));
  const ratio = (v: Variant, of: Pick) =>
    median(rounds.map((r) => of(r.results[v.key]) / of(r.results[before.key])));
  const figure = (name: string, of: Pick, digits: number, target = '') =>
    `| ${name} | ${fmt(value(before, of), digits)} | ${others.map((v) => `${fmt(value(v, of), digits)} | ${fmt(ratio(v, of), 3)}`).join(' | ')} | ${target} |`;
  const errors = rounds
    .flatMap((r) => Object.values(r.results).flatMap((x) => x.creates))
    .reduce((n, m) => n + m.errors, 0);
  const after = others[0];
  const importRatio = ratio(after, rowsPerSecond);
  const createRatio = ratio(
    after,
    create(0, (m) => m.p50Ms),
  );
  const perRound = (of: Pick, digits: number) => (r: Round) =>
    `${fmt(of(r.results[before.key]), digits)} | ${others.map((v) => `${fmt(of(r.results[v.key]), digits)} | ${fmt(of(r.results[v.key]) / of(r.results[before.key]), 3)}`).join(' | ')}`;
  const columns = (what: string) =>
    `${what} ${before.key} | ${others.map((v) => `${v.key} | ÷ ${before.key}`).join(' | ')}`;
  const aligns = (n: number) => Array.from({ length: n * (1 + 2 * others.length) }, () => '---:');
  return [
    '',
    `Cost of the substring index, on the same database: ${variants.map((v) => v.label).join(', ')} (before: ${beforeRoot}). Import of ${rows} rows (${fmt(statSync(csv).size / 1024 ** 2)} MB, upload → completed, API + worker) and create contact for ${options.durationSeconds} s at ${CONNECTIONS.join(' and ')} connections (API + worker), each into a tenant of its own; ${rounds.length} rounds, the order reversed every other round. Figures: median of the rounds; ratios: median of the rounds' ratios.`,
    '',
    `| cost | ${before.label} | ${others.map((v) => `${v.label} | ÷ before`).join(' | ')} | target |`,
    `| --- | ---: | ${others.map(() => '---: | ---:').join(' | ')} | --- |`,
    figure('import rows/s', rowsPerSecond, 0, 'after ≥ 0.80'),
    figure('import peak worker RSS MB', (r) => r.import.peakMb, 0),
    ...CONNECTIONS.flatMap((c, i) => [
      figure(
        `create contact p50 ms, ${c} conn`,
        create(i, (m) => m.p50Ms),
        2,
        c === 1 ? 'after ≤ 1.30' : '',
      ),
      figure(
        `create contact p99 ms, ${c} conn`,
        create(i, (m) => m.p99Ms),
        2,
      ),
      figure(
        `create contact req/s, ${c} conn`,
        create(i, (m) => m.requestsPerSecond),
        0,
      ),
    ]),
    '',
    `| round | first | contacts keyed | ${columns('import rows/s')} | ${CONNECTIONS.map((c) => columns(`create p50 ms ${c} conn`)).join(' | ')} |`,
    `| ---: | --- | --- | ${aligns(1 + CONNECTIONS.length).join(' | ')} |`,
    ...rounds.map(
      (r, i) =>
        `| ${i + 1} | ${r.first} | ${variants.map((v) => r.results[v.key].import.keyed).join(' / ')} | ${perRound(rowsPerSecond, 0)(r)} | ${CONNECTIONS.map(
          (_, c) =>
            perRound(
              create(c, (m) => m.p50Ms),
              2,
            )(r),
        ).join(' | ')} |`,
    ),
    '',
    `Import: ${fmt(importRatio, 3)}× the rows/s before (target ≥ 0.80: ${importRatio >= 0.8 ? 'met' : 'NOT met'}); create contact p50 at 1 connection: ${fmt(createRatio, 3)}× before (target ≤ 1.30: ${createRatio <= 1.3 ? 'met' : 'NOT met'}).${errors ? ` ${errors} create requests failed.` : ''}`,
  ];
}
