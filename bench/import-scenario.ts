import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { PRODUCTION_NODE_FLAGS, startServer, stopServer, waitHealthy } from './bench-processes';
import { ImportStatus, plainInsert, uploadCsv, waitForImport, writeCsv } from './import-bench';
import { memoryOf } from './measure';

type Outbox = 'on' | 'off';

export interface ImportScenarioOptions {
  urls: { database: string; redis: string };
  port: number;
  workDir: string;
  rows: number;
  seed: number;
  /** Rounds of one import with and one without the outbox, the order alternating. */
  rounds: number;
  token: (tenantId: string) => string;
  log: (message: string) => void;
}

export interface ImportRun {
  seconds: number;
  peakMb: number;
  status: ImportStatus;
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Waits (up to a minute) for MariaDB to write out the pages the last writes dirtied and to purge
 * their undo history, which would otherwise compete with what runs next for the disk and cores.
 */
export async function settle(pool: Pool): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const [rows] = await pool.query<RowDataPacket[]>(
      "SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_buffer_pool_pages_dirty', 'Innodb_history_list_length')",
    );
    const value = (name: string) => Number(rows.find((r) => r.Variable_name === name)?.Value ?? 0);
    if (
      value('Innodb_buffer_pool_pages_dirty') < 1000 &&
      value('Innodb_history_list_length') < 5000
    )
      return;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Which build runs an import, and with what extra environment. */
export interface ImportBuild {
  /** The root of the build whose `dist/src/main.js` runs (default: this one). */
  cwd?: string;
  env?: Record<string, string>;
}

/** One import of `csv` into a new tenant by an API process and a worker, upload to completed. */
export async function importOnce(
  options: Pick<ImportScenarioOptions, 'urls' | 'port' | 'token'>,
  csv: string,
  tenantId: string,
  build: ImportBuild = {},
): Promise<ImportRun> {
  const baseUrl = `http://127.0.0.1:${options.port}`;
  const env = {
    DATABASE_URL: options.urls.database,
    REDIS_URL: options.urls.redis,
    PORT: String(options.port),
    IMPORT_MAX_BYTES: String(1024 ** 3),
    ...build.env,
  };
  const api = startServer('dist/src/main.js', { ...env, PROCESS_ROLE: 'api' }, { cwd: build.cwd });
  // As docker-compose runs it: a capped heap keeps the worker's memory flat (see README).
  const worker = startServer(
    'dist/src/main.js',
    { ...env, PROCESS_ROLE: 'worker' },
    { nodeFlags: [...PRODUCTION_NODE_FLAGS, '--max-old-space-size=192'], cwd: build.cwd },
  );
  try {
    await waitHealthy(baseUrl, [api, worker]);
    const auth = options.token(tenantId);
    for (const name of ['Lifecycle stage', 'Preferred store']) {
      await fetch(`${baseUrl}/v1/contacts/custom-fields`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${auth}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name, type: 'text' }),
      });
    }
    let peakMb = 0;
    const started = process.hrtime.bigint();
    const importId = await uploadCsv(baseUrl, auth, csv);
    const status = await waitForImport(baseUrl, auth, importId, () => {
      peakMb = Math.max(peakMb, memoryOf(worker.pid!).peakMb);
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    peakMb = Math.max(peakMb, memoryOf(worker.pid!).peakMb);
    return { seconds, peakMb, status };
  } finally {
    await stopServer(api);
    await stopServer(worker);
  }
}

// Every table holding a tenant's rows, children before parents; the grams, keys, counters and
// events have no foreign key to cascade from contacts.
const TENANT_TABLES = [
  'contact_search_grams',
  'contact_search_keys',
  'contact_counts',
  'tag_counts',
  'contact_events',
  'webhook_deliveries',
  'contacts',
  'tags',
  'custom_fields',
  'imports',
  'idempotency_keys',
];
const DELETE_BATCH = 50_000;

/**
 * Removes the previous runs' import and baseline tenants, in batches: a reused database would
 * otherwise carry their 46 grams a row into every later measurement.
 */
export async function dropImportTenants(pool: Pool) {
  for (const table of TENANT_TABLES) {
    for (;;) {
      const [result] = await pool.query(
        `DELETE FROM ${table} WHERE tenant_id LIKE 'tn\\_bench\\_import%' OR tenant_id = 'tn_bench_baseline' LIMIT ${DELETE_BATCH}`,
      );
      if ((result as { affectedRows: number }).affectedRows < DELETE_BATCH) break;
    }
  }
}

/**
 * The CSV import with and without the event outbox (EVENT_OUTBOX=off, bench-only), `rounds`
 * times, alternating which goes first so that drift in the machine's load, and the tables
 * growing, fall on both; each import creates its rows in a tenant of its own. Then the plain
 * INSERT baseline. Returns the report's lines.
 */
export async function importScenario(pool: Pool, options: ImportScenarioOptions) {
  const { rows, log } = options;
  await dropImportTenants(pool);
  const csv = join(options.workDir, 'import.csv');
  log(`import: writing ${rows} rows to ${csv}`);
  await writeCsv(csv, rows, options.seed + 7);
  const runs: Record<Outbox, ImportRun[]> = { on: [], off: [] };
  for (let round = 1; round <= options.rounds; round++) {
    const order: Outbox[] = round % 2 === 1 ? ['off', 'on'] : ['on', 'off'];
    for (const outbox of order) {
      await settle(pool);
      log(`import: round ${round}, event outbox ${outbox}: uploading`);
      // Bench-only: the outbox's writes, not the sequencer, are what it turns off.
      const run = await importOnce(options, csv, `tn_bench_import_${outbox}_${round}`, {
        env: { EVENT_OUTBOX: outbox },
      });
      if (run.status.status !== 'completed' || run.status.createdCount !== rows) {
        throw new Error(`import ${outbox} round ${round}: ${JSON.stringify(run.status)}`);
      }
      log(`import: round ${round}, outbox ${outbox}: ${fmt(run.seconds)} s`);
      runs[outbox].push(run);
    }
  }
  await settle(pool);
  log('import: baseline insert');
  const baselineStarted = process.hrtime.bigint();
  await plainInsert(pool, 'tn_bench_baseline', rows, options.seed + 7);
  const baselineSeconds = Number(process.hrtime.bigint() - baselineStarted) / 1e9;

  const ratios = runs.on.map((on, i) => runs.off[i].seconds / on.seconds);
  const on = median(runs.on.map((r) => r.seconds));
  const off = median(runs.off.map((r) => r.seconds));
  const peakMb = Math.max(...runs.on.map((r) => r.peakMb));
  return [
    '',
    `| import (${rows} rows, ${fmt(statSync(csv).size / 1024 ** 2)} MB; median of ${options.rounds}) | seconds | rows/s | peak worker RSS MB | created | failed |`,
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    `| upload → completed (Bull worker) | ${fmt(on)} | ${fmt(rows / on, 0)} | ${fmt(peakMb, 0)} | ${runs.on[0].status.createdCount} | ${runs.on[0].status.failedCount} |`,
    `| the same without the event outbox (EVENT_OUTBOX=off) | ${fmt(off)} | ${fmt(rows / off, 0)} | | | |`,
    `| plain multi-row INSERT baseline | ${fmt(baselineSeconds)} | ${fmt(rows / baselineSeconds, 0)} | | | |`,
    `| ratio import / baseline | ${fmt(on / baselineSeconds, 2)} | | | | |`,
    '',
    '| round | first | seconds without outbox | seconds with outbox | with / without rows/s |',
    '| ---: | --- | ---: | ---: | ---: |',
    ...ratios.map(
      (ratio, i) =>
        `| ${i + 1} | ${i % 2 === 0 ? 'off' : 'on'} | ${fmt(runs.off[i].seconds)} | ${fmt(runs.on[i].seconds)} | ${fmt(ratio, 3)} |`,
    ),
    '',
    `Import with / without the event outbox: ${fmt(median(ratios), 3)}× the rows/s (median of the rounds; ${fmt(ratios.reduce((a, b) => a + b, 0) / ratios.length, 3)}× mean).`,
  ];
}
