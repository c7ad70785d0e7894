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
import { RunningServer, startServer } from '../support/server';
import { testTarget } from '../support/test-target';
import { logLines, messageOf, ranImport, RunningWorker, startWorker } from '../support/worker';

const ROWS = 12_000;
const BATCH = 2000;

const ended = (s: ImportStatus) => s.status === 'completed' || s.status === 'failed';
const midway = (s: ImportStatus) => ended(s) || s.processedRows >= BATCH;

/** Nothing half-written: the committed progress is whole batches and its counts add up. */
function expectWholeBatches(status: ImportStatus) {
  expect(status.processedRows % BATCH).toBe(0);
  expect(status.processedRows).toBe(status.successCount + status.failedCount);
  expect(status.successCount).toBe(status.createdCount + status.updatedCount);
}

/** Ended by the SIGTERM it got (Nest re-raises it after shutdown), not by the SIGKILL fallback. */
function expectGracefulExit({ process }: { process: RunningWorker['process'] }) {
  expect([0, 'SIGTERM']).toContain(process.signalCode ?? process.exitCode);
}

describe('CSV import: a stopping process releases its import', () => {
  const file = numberedCsv(ROWS, 4_000_000);
  const servers: RunningServer[] = [];
  const workers: RunningWorker[] = [];

  afterAll(async () => {
    await Promise.all([...workers, ...servers].map((p) => p.stop()));
  });

  async function expectExactOutcome(headers: Record<string, string>, id: string, url: string) {
    const finished = await waitForImport(headers, id, { url, timeoutMs: 90_000, intervalMs: 200 });
    expect(finished).toMatchObject({
      status: 'completed',
      totalRows: ROWS,
      processedRows: ROWS,
      createdCount: file.created,
      updatedCount: file.updated,
      failedCount: file.failed,
    });
    expect(finished.errors.map((e) => e.row)).toEqual(file.failedRows);
    expect(await namesByPhone(headers, url)).toEqual(file.names);
  }

  if (testTarget() === 'mariadb') {
    it('a worker stopped (SIGTERM) mid-import gives it back; another worker finishes it exactly once', async () => {
      const apiServer = await startServer({ ...backendEnv(), PROCESS_ROLE: 'api' });
      servers.push(apiServer);
      const worker = await startWorker({ ...backendEnv(), LOG_LEVEL: 'debug' });
      workers.push(worker);

      // The shared server's worker consumes the same queue: upload until the test's own
      // worker runs an import (a busy shared server leaves the next job to it).
      let headers: Record<string, string> = {};
      let importId = '';
      for (let attempt = 0; attempt < 4 && !importId; attempt++) {
        const candidate = as(newTenantId());
        const id = await uploadCsv(candidate, file.csv, apiServer.url);
        const status = await waitForImport(candidate, id, {
          url: apiServer.url,
          timeoutMs: 60_000,
          intervalMs: 20,
          done: midway,
        });
        if (!ended(status) && ranImport(worker, id)) [headers, importId] = [candidate, id];
      }
      if (!importId) throw new Error(`no import ran on the test worker:\n${worker.output()}`);

      await worker.stop();
      expectGracefulExit(worker);
      const afterStop = await getImport(headers, importId, apiServer.url);
      expectWholeBatches(afterStop);
      if (afterStop.status !== 'completed') {
        // Released after its last committed batch, back to the queue for a retry.
        expect(afterStop.processedRows).toBeLessThan(ROWS);
        const released = logLines(worker.output()).find(
          (line) =>
            messageOf(line) === 'import attempt failed' &&
            (line.message as { importId?: string }).importId === importId,
        );
        expect(released?.message).toMatchObject({ final: false });
      }

      // The released job is retried on the queue; a fresh worker (or the shared one) takes it.
      workers.push(await startWorker(backendEnv()));
      await expectExactOutcome(headers, importId, apiServer.url);
    }, 120_000);
  } else {
    it('a server stopped (SIGTERM) mid-import resumes it at the next start, exactly once', async () => {
      const env = { ...backendEnv(), DATABASE_URL: freshSqliteUrl() };
      const stopping = await startServer(env);
      servers.push(stopping);
      const headers = as(newTenantId());
      const importId = await uploadCsv(headers, file.csv, stopping.url);
      const beforeStop = await waitForImport(headers, importId, {
        url: stopping.url,
        timeoutMs: 60_000,
        intervalMs: 20,
        done: midway,
      });
      expect(beforeStop.status).toBe('processing');
      await stopping.stop();
      expectGracefulExit(stopping);

      const restarted = await startServer(env);
      servers.push(restarted);
      const resumed = await getImport(headers, importId, restarted.url);
      expectWholeBatches(resumed);
      expect(resumed.processedRows).toBeGreaterThanOrEqual(beforeStop.processedRows);
      await expectExactOutcome(headers, importId, restarted.url);
    }, 120_000);
  }
});
