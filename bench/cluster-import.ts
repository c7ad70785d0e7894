import { createInterface } from 'node:readline';
import { PRODUCTION_NODE_FLAGS, startServer, stopServer, waitHealthy } from './bench-processes';
import { uploadCsv, waitForImport } from './import-bench';

export interface ClusterImportRun {
  workers: number;
  seconds: number;
  rowsPerSecond: number;
  /** Seconds from the first upload to each import's completion. */
  completedAfter: number[];
  /** Batches each worker wrote (from its debug log). */
  batchesPerWorker: number[];
  created: number;
}

interface Options {
  env: Record<string, string>;
  port: number;
  /** The CSV each tenant uploads (the same rows, one tenant each). */
  csv: string;
  rows: number;
  imports: number;
  workers: number;
  token: (tenantId: string) => string;
}

/**
 * `imports` tenants upload the same CSV at once to one API process; `workers` worker processes
 * (PROCESS_ROLE=worker, heap capped as in docker-compose) share the Bull queue. Timed from the
 * first upload to the last completion.
 */
export async function clusterImport(options: Options): Promise<ClusterImportRun> {
  const baseUrl = `http://127.0.0.1:${options.port}`;
  const api = startServer('dist/src/main.js', {
    ...options.env,
    PORT: String(options.port),
    PROCESS_ROLE: 'api',
  });
  const batches: number[] = [];
  const ready: Promise<void>[] = [];
  const workers = Array.from({ length: options.workers }, (_, i) => {
    batches.push(0);
    const worker = startServer(
      'dist/src/main.js',
      { ...options.env, PROCESS_ROLE: 'worker', LOG_LEVEL: 'debug' },
      { nodeFlags: [...PRODUCTION_NODE_FLAGS, '--max-old-space-size=192'], stdout: 'pipe' },
    );
    const lines = createInterface({ input: worker.stdout! });
    ready.push(
      new Promise((resolve) =>
        lines.on('line', (line) => {
          if (line.includes('"worker started"')) resolve();
        }),
      ),
    );
    lines.on('line', (line) => {
      if (line.includes('"import batch"')) batches[i]++;
    });
    return worker;
  });
  try {
    // Several processes start at once here: give a loaded machine four minutes.
    await Promise.all([waitHealthy(baseUrl, [api, ...workers], 240), ...ready]);
    console.log(`[bench] cluster import: ${options.workers} worker(s) ready, uploading`);
    const tenants = Array.from(
      { length: options.imports },
      (_, i) => `tn_bench_cluster_w${options.workers}_${i}`,
    );
    for (const tenantId of tenants) {
      for (const name of ['Lifecycle stage', 'Preferred store']) {
        await fetch(`${baseUrl}/v1/contacts/custom-fields`, {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${options.token(tenantId)}`,
            'Content-Type': 'application/json',
          },
          body: JSON.stringify({ name, type: 'text' }),
        });
      }
    }
    const started = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
    const results = await Promise.all(
      tenants.map(async (tenantId) => {
        const auth = options.token(tenantId);
        const importId = await uploadCsv(baseUrl, auth, options.csv);
        const status = await waitForImport(baseUrl, auth, importId);
        if (status.status !== 'completed') throw new Error(`import ${importId}: ${status.status}`);
        return { after: elapsed(), created: status.createdCount };
      }),
    );
    const seconds = elapsed();
    return {
      workers: options.workers,
      seconds,
      rowsPerSecond: (options.rows * options.imports) / seconds,
      completedAfter: results.map((r) => r.after),
      batchesPerWorker: batches,
      created: results.reduce((sum, r) => sum + r.created, 0),
    };
  } finally {
    await Promise.all([api, ...workers].map(stopServer));
  }
}
