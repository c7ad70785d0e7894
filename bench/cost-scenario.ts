import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { ROOT, startServer, stopServer, waitHealthy } from './bench-processes';
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

type Build = 'before' | 'after';

export interface CostScenarioOptions extends ImportScenarioOptions {
  /** The root of the older build (`dist/src/main.js` built there): "before". */
  beforeRoot: string;
  durationSeconds: number;
}

/** Create contact at these connection counts: a request on its own, and under load. */
const CONNECTIONS = [1, 16];

interface Round {
  first: Build;
  imports: Record<Build, ImportRun & { keyed: number }>;
  /** One measurement per entry of CONNECTIONS. */
  creates: Record<Build, Measurement[]>;
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

// Named like the import scenario's tenants: its cleanup (and this one's) removes them.
const tenantOf = (build: Build, round: number, what: string) =>
  `tn_bench_import_cost_${build}_${round}_${what}`;

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
 * Create contact against one build's API process (its worker beside it, as deployed: the newer
 * build's sequences the events the creates write), after a warm-up, at each of CONNECTIONS.
 */
async function createRuns(
  pool: Pool,
  options: CostScenarioOptions,
  build: Build,
  cwd: string,
  round: number,
): Promise<Measurement[]> {
  const baseUrl = `http://127.0.0.1:${options.port}`;
  const env = {
    DATABASE_URL: options.urls.database,
    REDIS_URL: options.urls.redis,
    PORT: String(options.port),
  };
  const api = startServer('dist/src/main.js', { ...env, PROCESS_ROLE: 'api' }, { cwd });
  const worker = startServer(
    'dist/src/main.js',
    { ...env, PROCESS_ROLE: 'worker' },
    { nodeFlags: ['--max-old-space-size=192'], cwd },
  );
  try {
    await waitHealthy(baseUrl, [api, worker]);
    // JIT, the connection pool and the tenant's first rows: not what the rounds compare.
    await load(baseUrl, options.token(tenantOf(build, round, 'warmup')), CREATE, {
      durationSeconds: Math.min(3, options.durationSeconds),
      connections: Math.max(...CONNECTIONS),
      name: `cost-${build}-warmup`,
    });
    const runs: Measurement[] = [];
    for (const connections of CONNECTIONS) {
      await settle(pool);
      runs.push(
        await load(baseUrl, options.token(tenantOf(build, round, `create${connections}`)), CREATE, {
          durationSeconds: options.durationSeconds,
          connections,
          name: `cost-${build}-create-${connections}`,
        }),
      );
    }
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
 * API, the builds' order alternating between rounds so that drift in the machine's load, and the
 * tables growing, fall on both. Every import and every create run goes into a tenant of its own
 * after MariaDB has settled. Returns the report's lines.
 */
export async function costScenario(pool: Pool, options: CostScenarioOptions): Promise<string[]> {
  const { rows, log } = options;
  const roots: Record<Build, string> = { before: resolve(options.beforeRoot), after: ROOT };
  if (!existsSync(join(roots.before, 'dist', 'src', 'main.js'))) {
    throw new Error(`--before-build ${roots.before}: no dist/src/main.js (npm run build there)`);
  }
  await dropImportTenants(pool);
  const csv = join(options.workDir, 'cost-import.csv');
  log(`cost: writing ${rows} rows to ${csv}`);
  await writeCsv(csv, rows, options.seed + 11);
  const rounds: Round[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    const order: Build[] = round % 2 === 1 ? ['before', 'after'] : ['after', 'before'];
    const imports = {} as Round['imports'];
    const creates = {} as Round['creates'];
    for (const build of order) {
      await settle(pool);
      log(`cost: round ${round}, ${build}: import of ${rows} rows`);
      const tenantId = tenantOf(build, round, 'import');
      const run = await importOnce(options, csv, tenantId, { cwd: roots[build] });
      if (run.status.status !== 'completed' || run.status.createdCount !== rows) {
        throw new Error(`cost import ${build} round ${round}: ${JSON.stringify(run.status)}`);
      }
      imports[build] = { ...run, keyed: await keyedContacts(pool, tenantId) };
      log(`cost: round ${round}, ${build}: ${fmt(rows / run.seconds, 0)} rows/s`);
    }
    for (const build of order) {
      await settle(pool);
      log(`cost: round ${round}, ${build}: create contact`);
      creates[build] = await createRuns(pool, options, build, roots[build], round);
      log(
        `cost: round ${round}, ${build}: create p50 ${creates[build].map((m) => fmt(m.p50Ms, 2)).join(' / ')} ms at ${CONNECTIONS.join(' / ')} connections`,
      );
    }
    rounds.push({ first: order[0], imports, creates });
  }
  return report(options, roots, csv, rounds);
}

function report(
  options: CostScenarioOptions,
  roots: Record<Build, string>,
  csv: string,
  rounds: Round[],
): string[] {
  const { rows } = options;
  const rowsPerSecond = (r: Round, b: Build) => rows / r.imports[b].seconds;
  const figure = (
    name: string,
    of: (r: Round, b: Build) => number,
    digits: number,
    target = '',
  ) => {
    const before = median(rounds.map((r) => of(r, 'before')));
    const after = median(rounds.map((r) => of(r, 'after')));
    const ratio = median(rounds.map((r) => of(r, 'after') / of(r, 'before')));
    return `| ${name} | ${fmt(before, digits)} | ${fmt(after, digits)} | ${fmt(ratio, 3)} | ${target} |`;
  };
  const create = (i: number, pick: (m: Measurement) => number) => (r: Round, b: Build) =>
    pick(r.creates[b][i]);
  const errors = rounds.reduce(
    (sum, r) => sum + [...r.creates.before, ...r.creates.after].reduce((n, m) => n + m.errors, 0),
    0,
  );
  const importRatio = median(
    rounds.map((r) => rowsPerSecond(r, 'after') / rowsPerSecond(r, 'before')),
  );
  const createRatio = median(
    rounds.map((r) => r.creates.after[0].p50Ms / r.creates.before[0].p50Ms),
  );
  return [
    '',
    `Cost, before (${roots.before}, ${commitOf(roots.before)}) and after (this build, ${commitOf(roots.after)}) on the same database: import of ${rows} rows (${fmt(statSync(csv).size / 1024 ** 2)} MB) and create contact for ${options.durationSeconds} s at ${CONNECTIONS.join(' and ')} connections, each into a tenant of its own; ${rounds.length} rounds, the order alternating; medians of the rounds.`,
    '',
    '| cost of the index | before | after | after / before | target |',
    '| --- | ---: | ---: | ---: | --- |',
    figure('import rows/s (upload → completed)', rowsPerSecond, 0, '≥ 0.80'),
    figure('import peak worker RSS MB', (r, b) => r.imports[b].peakMb, 0),
    ...CONNECTIONS.flatMap((c, i) => [
      figure(
        `create contact p50 ms, ${c} conn`,
        create(i, (m) => m.p50Ms),
        2,
        c === 1 ? '≤ 1.30' : '',
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
    `| round | first | import rows/s before | after | after / before | contacts keyed before / after | ${CONNECTIONS.map((c) => `create p50 ms ${c} conn before | after | after / before`).join(' | ')} |`,
    `| ---: | --- | ---: | ---: | ---: | --- | ${CONNECTIONS.map(() => '---: | ---: | ---:').join(' | ')} |`,
    ...rounds.map(
      (r, i) =>
        `| ${i + 1} | ${r.first} | ${fmt(rowsPerSecond(r, 'before'), 0)} | ${fmt(rowsPerSecond(r, 'after'), 0)} | ${fmt(rowsPerSecond(r, 'after') / rowsPerSecond(r, 'before'), 3)} | ${r.imports.before.keyed} / ${r.imports.after.keyed} | ${CONNECTIONS.map((_, c) => `${fmt(r.creates.before[c].p50Ms, 2)} | ${fmt(r.creates.after[c].p50Ms, 2)} | ${fmt(r.creates.after[c].p50Ms / r.creates.before[c].p50Ms, 3)}`).join(' | ')} |`,
    ),
    '',
    `Import: ${fmt(importRatio, 3)}× the rows/s before (target ≥ 0.80: ${importRatio >= 0.8 ? 'met' : 'NOT met'}); create contact p50 at 1 connection: ${fmt(createRatio, 3)}× before (target ≤ 1.30: ${createRatio <= 1.3 ? 'met' : 'NOT met'}).${errors ? ` ${errors} create requests failed.` : ''}`,
  ];
}
