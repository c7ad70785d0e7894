import { as, newTenantId } from '../support/api';
import { backendEnv, freshSqliteUrl, ownQueueEnv } from '../support/backend';
import {
  createField,
  getImport,
  ImportStatus,
  listAllContacts,
  listTags,
  namesByPhone,
  numberedCsv,
  phoneNumber,
  uploadCsv,
  waitForImport,
} from '../support/imports';
import { RunningServer, startServer } from '../support/server';
import { testTarget } from '../support/test-target';
import { logLines, messageOf, ranImport, RunningWorker, startWorker } from '../support/worker';

const ROWS = 40_000;
const BATCH = 2000;

/**
 * A 40,000-row file (20 batches) with every kind of outcome: new contacts, a phone repeated
 * 5000 rows later (an update in a later batch), invalid phones and invalid dates.
 */
function crashFile() {
  const lines = ['name,phone,email,tags,Renewal Date'];
  const kinds: ('person' | 'again' | 'bad')[] = [];
  for (let i = 0; i < ROWS; i++) {
    const phone = phoneNumber(2_000_000 + i);
    if (i % 97 === 96) {
      lines.push(`Bad Phone ${i},+48 12,bad${i}@example.com,t${i % 7},`);
      kinds.push('bad');
    } else if (i % 89 === 88) {
      lines.push(`Bad Date ${i},${phone},,,2026-02-3${i % 10}`);
      kinds.push('bad');
    } else if (i % 101 === 100 && kinds[i - 5000] === 'person') {
      lines.push(`Again ${i},${phoneNumber(2_000_000 + i - 5000)},,"again;t${i % 7}",2027-01-01`);
      kinds.push('again');
    } else {
      const date = i % 10 === 0 ? `2026-${String((i % 12) + 1).padStart(2, '0')}-15` : '';
      lines.push(`Person ${i},${phone},p${i}@example.com,t${i % 7},${date}`);
      kinds.push('person');
    }
  }
  const count = (kind: string) => kinds.filter((k) => k === kind).length;
  return {
    csv: lines.join('\n') + '\n',
    created: count('person'),
    updated: count('again'),
    failed: count('bad'),
  };
}

type Headers = Record<string, string>;

/** What a tenant's contacts hold, by phone, with tags by name: comparable across tenants. */
async function snapshot(headers: Headers, url?: string) {
  const tagNames = new Map((await listTags(headers, url)).map((t) => [t.id, t.name]));
  const contacts = await listAllContacts(headers, url);
  const byPhone = new Map(
    contacts.map((c) => [
      c.identities.map((i) => i.metadata.phoneNumber).join(' '),
      {
        name: c.name,
        customFields: c.customFields,
        tags: c.tagIds.map((id) => tagNames.get(id)).sort(),
      },
    ]),
  );
  return { contacts: contacts.length, byPhone, tags: [...tagNames.values()].sort() };
}

async function newImportTenant(url?: string): Promise<Headers> {
  const headers = as(newTenantId());
  await createField(headers, 'Renewal Date', 'date', url);
  return headers;
}

const counts = (s: ImportStatus) => ({
  status: s.status,
  totalRows: s.totalRows,
  processedRows: s.processedRows,
  successCount: s.successCount,
  createdCount: s.createdCount,
  updatedCount: s.updatedCount,
  failedCount: s.failedCount,
  errors: s.errors,
  errorsTruncated: s.errorsTruncated,
  ignoredColumns: s.ignoredColumns,
});

const ended = (s: ImportStatus) => s.status === 'completed' || s.status === 'failed';
/** Some batches committed, many to go: the moment to kill. */
const midway = (s: ImportStatus) => ended(s) || s.processedRows >= 2 * BATCH;
const firstBatch = (s: ImportStatus) => ended(s) || s.processedRows >= BATCH;

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

/**
 * Interrupted imports. One file, so that its tests run one after the other: each starts
 * workers on the shared Bull queue and must not take the other's jobs.
 */
describe('CSV import: interrupted imports finish exactly once', () => {
  const file = crashFile();
  const STOP_ROWS = 12_000;
  const stopFile = numberedCsv(STOP_ROWS, 4_000_000);
  const servers: RunningServer[] = [];
  const workers: RunningWorker[] = [];

  // Every process a test started ends with it.
  afterEach(async () => {
    await Promise.all([...workers, ...servers].map((p) => p.stop()));
    workers.length = 0;
    servers.length = 0;
  });

  async function expectExactOutcome(headers: Record<string, string>, id: string, url: string) {
    const finished = await waitForImport(headers, id, { url, timeoutMs: 90_000, intervalMs: 200 });
    expect(finished).toMatchObject({
      status: 'completed',
      totalRows: STOP_ROWS,
      processedRows: STOP_ROWS,
      createdCount: stopFile.created,
      updatedCount: stopFile.updated,
      failedCount: stopFile.failed,
    });
    expect(finished.errors.map((e) => e.row)).toEqual(stopFile.failedRows);
    expect(await namesByPhone(headers, url)).toEqual(stopFile.names);
  }

  if (testTarget() === 'mariadb') {
    it('a worker stopped (SIGTERM) mid-import gives it back; another worker finishes it exactly once', async () => {
      const env = { ...backendEnv(), ...ownQueueEnv() };
      const apiServer = await startServer({ ...env, PROCESS_ROLE: 'api' });
      servers.push(apiServer);
      const worker = await startWorker({ ...env, LOG_LEVEL: 'debug' });
      workers.push(worker);

      // The shared server's worker consumes the same queue: upload until the test's own
      // worker runs an import (a busy shared server leaves the next job to it).
      let headers: Record<string, string> = {};
      let importId = '';
      for (let attempt = 0; attempt < 4 && !importId; attempt++) {
        const candidate = as(newTenantId());
        const id = await uploadCsv(candidate, stopFile.csv, apiServer.url);
        const status = await waitForImport(candidate, id, {
          url: apiServer.url,
          timeoutMs: 60_000,
          intervalMs: 20,
          done: firstBatch,
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
        expect(afterStop.processedRows).toBeLessThan(STOP_ROWS);
        // Handed back as a new job (ImportDispatcher), spending none of the job's attempts.
        const released = logLines(worker.output()).filter(
          (line) => (line.message as { importId?: string }).importId === importId,
        );
        expect(released.map(messageOf)).toContain('import handed back');
        expect(released.map(messageOf)).not.toContain('import attempt failed');
      }

      // The released job is retried on the queue; a fresh worker takes it.
      workers.push(await startWorker(env));
      await expectExactOutcome(headers, importId, apiServer.url);
    }, 120_000);
  } else {
    it('a server stopped (SIGTERM) mid-import resumes it at the next start, exactly once', async () => {
      const env = { ...backendEnv(), DATABASE_URL: freshSqliteUrl() };
      const stopping = await startServer(env);
      servers.push(stopping);
      const headers = as(newTenantId());
      const importId = await uploadCsv(headers, stopFile.csv, stopping.url);
      const beforeStop = await waitForImport(headers, importId, {
        url: stopping.url,
        timeoutMs: 60_000,
        intervalMs: 20,
        done: firstBatch,
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

  /** Waits for the uninterrupted run of the file and checks it on its own terms. */
  async function finishReference(headers: Headers, importId: string, url?: string) {
    const status = await waitForImport(headers, importId, { url, timeoutMs: 150_000 });
    expect(counts(status)).toEqual({
      status: 'completed',
      totalRows: ROWS,
      processedRows: ROWS,
      successCount: file.created + file.updated,
      createdCount: file.created,
      updatedCount: file.updated,
      failedCount: file.failed,
      errors: expect.any(Array),
      errorsTruncated: false,
      ignoredColumns: [],
    });
    expect(status.errors).toHaveLength(file.failed);
    const contacts = await snapshot(headers, url);
    expect(contacts.contacts).toBe(file.created);
    expect(contacts.byPhone.size).toBe(file.created);
    return { status, contacts };
  }

  it('has a file with every kind of row', () => {
    expect([file.created, file.updated, file.failed]).toEqual([38812, 331, 857]);
  });

  if (testTarget() === 'mariadb') {
    it('a worker killed mid-import: the restarted worker ends with the same contacts and counts as an uninterrupted run', async () => {
      // The test's processes have a queue of their own: the shared workers take none of it.
      const env = { ...backendEnv(), ...ownQueueEnv() };
      const apiServer = await startServer({ ...env, PROCESS_ROLE: 'api' });
      servers.push(apiServer);

      // The uninterrupted run goes first, to the shared server's worker: no process of this
      // test takes jobs until it has started.
      const referenceHeaders = await newImportTenant();
      const referenceId = await uploadCsv(referenceHeaders, file.csv);
      await waitForImport(referenceHeaders, referenceId, {
        timeoutMs: 60_000,
        intervalMs: 20,
        done: (s) => s.status !== 'queued',
      });

      // Debug logs name the import of every batch the worker writes.
      const first = await startWorker({ ...env, LOG_LEVEL: 'debug' });
      workers.push(first);
      // Other workers (the shared server's) take jobs from the same queue: upload until an
      // import runs on the worker this test can kill.
      let headers: Headers = {};
      let importId = '';
      let beforeKill: ImportStatus | undefined;
      for (let attempt = 0; attempt < 4 && !beforeKill; attempt++) {
        const candidate = await newImportTenant(apiServer.url);
        const id = await uploadCsv(candidate, file.csv, apiServer.url);
        const status = await waitForImport(candidate, id, {
          url: apiServer.url,
          timeoutMs: 90_000,
          intervalMs: 20,
          done: midway,
        });
        if (!ended(status) && ranImport(first, id)) {
          [headers, importId, beforeKill] = [candidate, id, status];
        }
      }
      if (!beforeKill) throw new Error(`no import ran on the test worker:\n${first.output()}`);

      await first.kill();
      const afterKill = await getImport(headers, importId, apiServer.url);
      expect(afterKill.status).toBe('processing');
      expect(afterKill.processedRows).toBeGreaterThanOrEqual(beforeKill.processedRows);
      expect(afterKill.processedRows).toBeLessThan(ROWS);
      expect(afterKill.processedRows % BATCH).toBe(0);
      workers.push(await startWorker(env));

      // Bull hands the stalled job to a live worker once the dead one's lock expires.
      const reference = await finishReference(referenceHeaders, referenceId);
      const finished = await waitForImport(headers, importId, {
        url: apiServer.url,
        timeoutMs: 150_000,
        intervalMs: 250,
      });
      expect(counts(finished)).toEqual(counts(reference.status));
      const contacts = await snapshot(headers, apiServer.url);
      expect(contacts.contacts).toBe(file.created);
      expect(contacts).toEqual(reference.contacts);
    }, 180_000);
  } else {
    it('a server killed mid-import (embedded, in-process queue): the restarted server ends with the same contacts and counts as an uninterrupted run', async () => {
      // Servers of their own, on database files of their own: the in-process queue runs one
      // import at a time, and the shared server's belongs to the other tests.
      const env = { ...backendEnv(), DATABASE_URL: freshSqliteUrl() };
      const [referenceServer, crashing] = await Promise.all([
        startServer({ ...backendEnv(), DATABASE_URL: freshSqliteUrl() }),
        startServer(env),
      ]);
      servers.push(referenceServer, crashing);
      const referenceHeaders = await newImportTenant(referenceServer.url);
      const referenceId = await uploadCsv(referenceHeaders, file.csv, referenceServer.url);

      const headers = await newImportTenant(crashing.url);
      const importId = await uploadCsv(headers, file.csv, crashing.url);
      const beforeKill = await waitForImport(headers, importId, {
        url: crashing.url,
        timeoutMs: 90_000,
        intervalMs: 20,
        done: midway,
      });
      expect(beforeKill.status).toBe('processing');
      expect(beforeKill.processedRows).toBeLessThan(ROWS);
      crashing.process.kill('SIGKILL');
      await crashing.stop();

      // Unfinished imports are queued again when the server starts.
      const restarted = await startServer(env);
      servers.push(restarted);
      const resumed = await getImport(headers, importId, restarted.url);
      expect(resumed.processedRows).toBeGreaterThanOrEqual(beforeKill.processedRows);
      expect(resumed.processedRows % BATCH).toBe(0);
      const finished = await waitForImport(headers, importId, {
        url: restarted.url,
        timeoutMs: 150_000,
        intervalMs: 250,
      });
      const reference = await finishReference(referenceHeaders, referenceId, referenceServer.url);
      expect(counts(finished)).toEqual(counts(reference.status));
      expect(await snapshot(headers, restarted.url)).toEqual(reference.contacts);
    }, 180_000);
  }
});
