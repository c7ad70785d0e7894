import { as, newTenantId } from '../support/api';
import { backendEnv, isolatedServerEnv } from '../support/backend';
import { ImportStatus, numberedCsv, uploadCsv, waitForImport } from '../support/imports';
import { RunningServer, startServer } from '../support/server';
import { testTarget } from '../support/test-target';
import { RunningWorker, startWorker } from '../support/worker';

describe('CSV import: progress', () => {
  // A 50,000-row import holds a worker for a while: it must not hold up other suites' imports.
  // Embedded: a server of its own (own SQLite, own in-process queue). MariaDB: one more worker
  // on the shared queue, so one stays free whichever takes this job.
  let server: RunningServer | undefined;
  let worker: RunningWorker | undefined;
  beforeAll(async () => {
    if (testTarget() === 'embedded') server = await startServer(isolatedServerEnv());
    else worker = await startWorker(backendEnv());
  }, 150_000);
  afterAll(async () => {
    await server?.stop();
    await worker?.stop();
  });

  it('knows the file’s 50,000 rows from the moment processing starts', async () => {
    const headers = as(newTenantId());
    const file = numberedCsv(50_000, 7_000_000);
    const importId = await uploadCsv(headers, file.csv, server?.url);

    const seen: ImportStatus[] = [];
    const done = await waitForImport(headers, importId, {
      url: server?.url,
      timeoutMs: 180_000,
      intervalMs: 25,
      done: (s) => {
        seen.push(s);
        return s.status === 'completed' || s.status === 'failed';
      },
    });
    expect(done).toMatchObject({ status: 'completed', totalRows: 50_000, processedRows: 50_000 });

    for (const s of seen) {
      if (s.status === 'queued') expect(s.totalRows).toBe(0);
      // Once processing, the total is the whole file, not the rows done so far.
      else expect(s.totalRows).toBe(50_000);
    }
    // Not vacuous: at least one status was read mid-import, with the total already known.
    const midway = seen.filter((s) => s.status === 'processing' && s.processedRows < 50_000);
    expect(midway.length).toBeGreaterThan(0);
    expect(midway.map((s) => s.totalRows)).toEqual(midway.map(() => 50_000));
    // And a true fraction: some of them between the first and the last batch.
    expect(midway.some((s) => s.processedRows > 0)).toBe(true);
  }, 200_000);
});
