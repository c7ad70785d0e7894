import { request as httpRequest } from 'node:http';
import { as, newTenantId } from '../support/api';
import { backendEnv, freshSqliteUrl } from '../support/backend';
import { call } from '../support/http-calls';
import {
  getImport,
  ImportStatus,
  namesByPhone,
  numberedCsv,
  waitForImport,
} from '../support/imports';
import { dropIsolatedDatabase, isolatedMariaDbStack } from '../support/isolated-stack';
import { RunningServer, startServer } from '../support/server';
import { testTarget } from '../support/test-target';
import { logLines, messageOf } from '../support/worker';

const BATCH = 2000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An upload sent in two halves, `between` running after the first: a request that is in
 * flight for as long as the test wants.
 */
async function slowUpload(
  url: string,
  headers: Record<string, string>,
  csv: string,
  between: () => Promise<void>,
): Promise<{ status: number; connection?: string; body: { importId?: string } }> {
  const boundary = `----e2e${Date.now()}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="c.csv"\r\n` +
      'Content-Type: text/csv\r\n\r\n',
  );
  const file = Buffer.from(csv);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const { hostname, port } = new URL(url);
  const request = httpRequest({
    hostname,
    port,
    method: 'POST',
    path: '/v1/contacts/import',
    headers: {
      ...headers,
      'Content-Type': `multipart/form-data; boundary=${boundary}`,
      'Content-Length': head.length + file.length + tail.length,
    },
  });
  const response = new Promise<{
    status: number;
    connection?: string;
    body: { importId?: string };
  }>((resolve, reject) => {
    request.on('error', reject);
    request.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          connection: res.headers.connection,
          body: JSON.parse(text) as { importId?: string },
        }),
      );
    });
  });
  const half = Math.floor(file.length / 2);
  request.write(Buffer.concat([head, file.subarray(0, half)]));
  await between();
  request.end(Buffer.concat([file.subarray(half), tail]));
  return response;
}

async function exited(server: RunningServer): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (server.process.exitCode === null && server.process.signalCode === null) {
    if (Date.now() > deadline) throw new Error(`server did not exit:\n${server.output()}`);
    await sleep(50);
  }
}

/** Ended by the SIGTERM it got, after closing (not the harness's SIGKILL fallback). */
function expectGracefulExit(server: RunningServer) {
  expect([0, 'SIGTERM']).toContain(server.process.signalCode ?? server.process.exitCode);
  expect(logLines(server.output()).some((line) => messageOf(line) === 'closing')).toBe(true);
}

/** Nothing half-written: the committed progress is whole batches and its counts add up. */
function expectWholeBatches(status: ImportStatus) {
  expect(status.processedRows % BATCH === 0 || status.status === 'completed').toBe(true);
  expect(status.processedRows).toBe(status.successCount + status.failedCount);
  expect(status.successCount).toBe(status.createdCount + status.updatedCount);
}

/**
 * SIGTERM: stop accepting, finish the in-flight requests within SHUTDOWN_GRACE_MS, hand a
 * running import back; a second process finishes it exactly once. On the embedded default the
 * second process is the same server restarted on the same file (its queue is in-process); on
 * MariaDB + Redis it is another process on the same database and queue (a stack of the spec's
 * own, so the suite's shared worker takes none of these jobs).
 */
describe('Graceful shutdown on SIGTERM', () => {
  const servers: RunningServer[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    const base =
      testTarget() === 'mariadb'
        ? await isolatedMariaDbStack('shutdown')
        : { ...backendEnv(), DATABASE_URL: freshSqliteUrl() };
    env = { ...base, LOG_LEVEL: 'log', SHUTDOWN_GRACE_MS: '10000' };
  });
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    servers.length = 0;
  });
  afterAll(async () => {
    if (testTarget() === 'mariadb' && env) await dropIsolatedDatabase(env);
  });

  async function expectExactOutcome(
    headers: Record<string, string>,
    importId: string,
    file: ReturnType<typeof numberedCsv>,
    rows: number,
    url: string,
  ) {
    const finished = await waitForImport(headers, importId, {
      url,
      timeoutMs: 90_000,
      intervalMs: 200,
    });
    expect(finished).toMatchObject({
      status: 'completed',
      totalRows: rows,
      processedRows: rows,
      createdCount: file.created,
      updatedCount: file.updated,
      failedCount: file.failed,
    });
    expect(finished.errors.map((e) => e.row)).toEqual(file.failedRows);
    expect(await namesByPhone(headers, url)).toEqual(file.names);
  }

  it('a server stopped mid-request refuses new connections, finishes the request, exits, and loses nothing', async () => {
    const stopping = await startServer(env);
    servers.push(stopping);
    const headers = as(newTenantId());
    const file = numberedCsv(3000, 7_000_000);

    let refused = false;
    const reply = await slowUpload(stopping.url, headers, file.csv, async () => {
      await sleep(300);
      stopping.process.kill('SIGTERM');
      await sleep(500);
      refused = await fetch(`${stopping.url}/health`).then(
        () => false,
        () => true,
      );
    });
    expect(refused).toBe(true);
    expect(reply.status).toBe(202);
    expect(reply.connection).toBe('close');
    await exited(stopping);
    expectGracefulExit(stopping);

    const second = await startServer(env);
    servers.push(second);
    await expectExactOutcome(headers, reply.body.importId!, file, 3000, second.url);
  }, 150_000);

  it('a server stopped mid-import hands the import back; a second process finishes it exactly once', async () => {
    const stopping = await startServer(env);
    servers.push(stopping);
    const headers = as(newTenantId());
    const rows = 16_000;
    const file = numberedCsv(rows, 8_000_000);
    const upload = await call(stopping.url, 'UPLOAD', '/v1/contacts/import', headers, file.csv);
    expect(upload.status).toBe(202);
    const importId = upload.body.importId as string;
    const before = await waitForImport(headers, importId, {
      url: stopping.url,
      timeoutMs: 60_000,
      intervalMs: 20,
      done: (s) => s.processedRows >= BATCH || s.status === 'completed',
    });
    expect(before.status).toBe('processing');

    stopping.process.kill('SIGTERM');
    await exited(stopping);
    expectGracefulExit(stopping);
    if (testTarget() === 'mariadb') {
      // Handed back as a new job, not failed: the stop spent none of the job's attempts.
      const lines = logLines(stopping.output()).filter(
        (line) => (line.message as { importId?: string })?.importId === importId,
      );
      expect(lines.map(messageOf)).toContain('import handed back');
      expect(lines.map(messageOf)).not.toContain('import attempt failed');
    }

    const second = await startServer(env);
    servers.push(second);
    const resumed = await getImport(headers, importId, second.url);
    expectWholeBatches(resumed);
    expect(resumed.processedRows).toBeGreaterThanOrEqual(before.processedRows);
    await expectExactOutcome(headers, importId, file, rows, second.url);
  }, 150_000);
});
