import { as, newTenantId } from '../support/api';
import { backendEnv, freshSqliteUrl } from '../support/backend';
import {
  getImport,
  ImportStatus,
  namesByPhone,
  numberedCsv,
  uploadCsv,
  waitForImport,
} from '../support/imports';
import { dropIsolatedDatabase, isolatedMariaDbStack } from '../support/isolated-stack';
import { RunningServer, startServer } from '../support/server';
import { testTarget } from '../support/test-target';
import { logLines, messageOf, ranImport, RunningWorker, startWorker } from '../support/worker';

const BATCH = 2000;
/** 6 batches: the kill lands after 2 and leaves several for the other worker. */
const KILL_ROWS = 12_000;
type Headers = Record<string, string>;

interface Upload {
  headers: Headers;
  importId: string;
  file: ReturnType<typeof numberedCsv>;
}

/** The outcome an uninterrupted run of the file gives: counts, errors and every contact. */
async function expectExactlyOnce(upload: Upload, url: string): Promise<ImportStatus> {
  const { headers, importId, file } = upload;
  const status = await waitForImport(headers, importId, { url, timeoutMs: 150_000 });
  expect(status).toMatchObject({
    status: 'completed',
    totalRows: file.created + file.updated + file.failed,
    processedRows: file.created + file.updated + file.failed,
    createdCount: file.created,
    updatedCount: file.updated,
    failedCount: file.failed,
  });
  expect(status.errors.map((e) => e.row)).toEqual(file.failedRows);
  expect(await namesByPhone(headers, url)).toEqual(file.names);
  return status;
}

async function uploadAll(url: string, count: number, rows: number): Promise<Upload[]> {
  const files = Array.from({ length: count }, (_, i) => numberedCsv(rows, 5_000_000 + i * rows));
  return Promise.all(
    files.map(async (file) => {
      const headers = as(newTenantId());
      return { headers, file, importId: await uploadCsv(headers, file.csv, url) };
    }),
  );
}

/** The rows of each batch a worker wrote for an import, from its debug log. */
function batchesOf(worker: RunningWorker, importId: string): number[] {
  return logLines(worker.output()).flatMap((line) => {
    const message = line.message as { importId?: string; rows?: number };
    return messageOf(line) === 'import batch' && message.importId === importId
      ? [message.rows ?? 0]
      : [];
  });
}

/**
 * Imports under competition: several workers on one queue. Each test runs an API process and
 * two workers of its own, on a queue prefix of its own, so no other process of the suite (the
 * shared server's workers) takes their jobs and the logs tell who ran what.
 */
describe('imports competing for workers', () => {
  const processes: (RunningServer | RunningWorker)[] = [];
  const stacks: Record<string, string>[] = [];
  afterEach(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    processes.length = 0;
    await Promise.all(stacks.splice(0).map((env) => dropIsolatedDatabase(env)));
  });

  if (testTarget() === 'mariadb') {
    async function startOwnCluster() {
      // A database of its own too: the suite's other processes sweep undispatched imports of
      // their database onto their own queue, and would take these.
      const env = await isolatedMariaDbStack(`compete_${Date.now().toString(36)}`);
      stacks.push(env);
      const [api, ...workers] = await Promise.all([
        startServer({ ...env, PROCESS_ROLE: 'api' }),
        startWorker({ ...env, LOG_LEVEL: 'debug' }),
        startWorker({ ...env, LOG_LEVEL: 'debug' }),
      ]);
      processes.push(api, ...workers);
      return { api, workers: workers as RunningWorker[] };
    }

    it('4 concurrent imports spread over 2 workers, each import run exactly once', async () => {
      const { api, workers } = await startOwnCluster();
      const uploads = await uploadAll(api.url, 4, 4_000);
      for (const upload of uploads) await expectExactlyOnce(upload, api.url);

      // Both workers ran imports, and every import was written by one worker, whole.
      for (const worker of workers) {
        expect(uploads.some((u) => ranImport(worker, u.importId))).toBe(true);
      }
      for (const upload of uploads) {
        const perWorker = workers.map((w) => batchesOf(w, upload.importId));
        expect(perWorker.filter((batches) => batches.length > 0)).toHaveLength(1);
        expect(perWorker.flat().reduce((sum, rows) => sum + rows, 0)).toBe(4_000);
      }
    }, 180_000);

    it('a worker killed mid-import: the other worker finishes it exactly once', async () => {
      const { api, workers } = await startOwnCluster();
      const [first, second] = await uploadAll(api.url, 2, KILL_ROWS);
      // Both are taken at once, one per worker; wait until some batches of each committed.
      const midway = (s: ImportStatus) => s.status !== 'processing' || s.processedRows >= 2 * BATCH;
      for (const upload of [first, second]) {
        const status = await waitForImport(upload.headers, upload.importId, {
          url: api.url,
          timeoutMs: 90_000,
          intervalMs: 20,
          done: (s) => s.status !== 'queued' && midway(s),
        });
        expect(status.status).toBe('processing');
      }
      const victim = workers.find((w) => ranImport(w, first.importId));
      const survivor = workers.find((w) => w !== victim);
      if (!victim || !survivor) throw new Error('the first import ran on no worker');
      expect(ranImport(survivor, second.importId)).toBe(true);

      await victim.kill();
      const afterKill = await getImport(first.headers, first.importId, api.url);
      expect(afterKill.status).toBe('processing');
      expect(afterKill.processedRows % BATCH).toBe(0);
      expect(afterKill.processedRows).toBeLessThan(KILL_ROWS);
      const writtenByVictim = batchesOf(victim, first.importId).length;

      // The survivor finishes its own import, then takes over the stalled one from its last
      // committed batch: the same counts and contacts as an uninterrupted run.
      await expectExactlyOnce(second, api.url);
      await expectExactlyOnce(first, api.url);
      const resumed = batchesOf(survivor, first.importId);
      expect(resumed.length).toBeGreaterThan(0);
      // No batch written twice: the survivor wrote only what the victim had not committed.
      expect(resumed.reduce((sum, rows) => sum + rows, 0)).toBe(
        KILL_ROWS - afterKill.processedRows,
      );
      expect(writtenByVictim).toBeGreaterThanOrEqual(afterKill.processedRows / BATCH);
    }, 240_000);
  } else {
    it('4 concurrent imports on the in-process queue each complete exactly once', async () => {
      const server = await startServer({ ...backendEnv(), DATABASE_URL: freshSqliteUrl() });
      processes.push(server);
      const uploads = await uploadAll(server.url, 4, 4_000);
      for (const upload of uploads) await expectExactlyOnce(upload, server.url);
    }, 180_000);

    it('a server killed with imports running and queued: after the restart each completes exactly once', async () => {
      const env = { ...backendEnv(), DATABASE_URL: freshSqliteUrl() };
      const crashing = await startServer(env);
      processes.push(crashing);
      const uploads = await uploadAll(crashing.url, 2, KILL_ROWS);
      await waitForImport(uploads[0].headers, uploads[0].importId, {
        url: crashing.url,
        timeoutMs: 90_000,
        intervalMs: 20,
        done: (s) => s.status !== 'processing' || s.processedRows >= 2 * BATCH,
      });
      crashing.process.kill('SIGKILL');
      await crashing.stop();
      const restarted = await startServer(env);
      processes.push(restarted);
      for (const upload of uploads) await expectExactlyOnce(upload, restarted.url);
    }, 240_000);
  }
});
