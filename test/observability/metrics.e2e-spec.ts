import { api, as, newTenantId } from '../support/api';
import { isolatedServerEnv } from '../support/backend';
import { dropIsolatedDatabase, isolatedMariaDbStack } from '../support/isolated-stack';
import { clusterReplicas } from '../support/cluster';
import { numberedCsv, uploadCsv, waitForImport } from '../support/imports';
import { RunningServer, startServer } from '../support/server';
import { testTarget } from '../support/test-target';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition. */
function parse(text: string): Sample[] {
  return text.split('\n').flatMap((line) => {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) return [];
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key] = value;
    }
    return [{ name: match[1], labels, value: Number(match[3]) }];
  });
}

async function scrape(url?: string): Promise<Sample[]> {
  const response = await api(url).get('/metrics').expect(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parse(response.text);
}

const one = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );

const total = (samples: Sample[], name: string) =>
  one(samples, name).reduce((sum, s) => sum + s.value, 0);

describe('metrics', () => {
  // Metrics are per process: on the cluster target, talk to one API replica directly.
  const target: string | undefined = clusterReplicas()[0];
  const servers: RunningServer[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    for (const cleanup of cleanups) await cleanup();
  });

  it('times requests by route template, method and status, with no id in any label', async () => {
    const tenant = newTenantId();
    const headers = as(tenant);
    const created = await api(target)
      .post('/v1/contacts')
      .set(headers)
      .send({ name: 'Metered Contact' })
      .expect(201);
    const id = created.body.id as string;
    const before = await scrape(target);
    const count = (status: string, samples: Sample[]) =>
      one(samples, 'http_request_duration_seconds_count', {
        method: 'GET',
        route: '/v1/contacts/:id',
        status_code: status,
      })[0]?.value ?? 0;

    for (let i = 0; i < 3; i++)
      await api(target).get(`/v1/contacts/${id}`).set(headers).expect(200);
    await api(target).get('/v1/contacts/con_01HV8Z92S0R7M4E5P6Q8T1A2B3').set(headers).expect(404);
    await api(target).get(`/v1/contacts/${id}`).expect(401);
    await api(target).get(`/no/such/route/${id}`).expect(404);

    const after = await scrape(target);
    // Other suites share the server: at least this test's requests, by status.
    expect(count('200', after) - count('200', before)).toBeGreaterThanOrEqual(3);
    expect(count('404', after) - count('404', before)).toBeGreaterThanOrEqual(1);
    expect(count('401', after) - count('401', before)).toBeGreaterThanOrEqual(1);
    // Other suites PATCH and DELETE the same route template: name the method too.
    const buckets = one(after, 'http_request_duration_seconds_bucket', {
      method: 'GET',
      route: '/v1/contacts/:id',
      status_code: '200',
    });
    expect(buckets.find((b) => b.labels.le === '+Inf')?.value).toBe(count('200', after));
    expect(one(after, 'http_request_duration_seconds_count', { route: 'unmatched' })).not.toEqual(
      [],
    );

    // Label values are route templates and codes only: no contact or tenant id, no raw path.
    const values = after.flatMap((s) => Object.values(s.labels));
    for (const value of values) {
      expect(value).not.toMatch(/con_|tn_|\/no\/such/);
    }
    const routes = new Set(
      one(after, 'http_request_duration_seconds_count').map((s) => s.labels.route),
    );
    expect([...routes].every((r) => r === 'unmatched' || /^\/[\w/:-]*$/.test(r))).toBe(true);
  });

  it('needs no token, shows the process, pool and queue, and stays out of the OpenAPI document', async () => {
    await api(target).get('/v1/contacts').set(as(newTenantId())).expect(200);
    const samples = await scrape(target);
    expect(total(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(one(samples, 'nodejs_eventloop_lag_seconds')).toHaveLength(1);
    expect(one(samples, 'nodejs_heap_size_used_bytes')[0].value).toBeGreaterThan(0);

    const inUse = one(samples, 'db_pool_connections', { state: 'in_use' })[0].value;
    const idle = one(samples, 'db_pool_connections', { state: 'idle' })[0].value;
    if (testTarget() === 'mariadb') {
      // The mysql2 pool has opened connections for the traffic; between requests most are idle.
      expect(inUse + idle).toBeGreaterThanOrEqual(1);
      expect(idle).toBeGreaterThanOrEqual(1);
    } else {
      expect([inUse, idle]).toEqual([0, 1]);
    }
    for (const state of ['waiting', 'active']) {
      const [gauge] = one(samples, 'contacts_import_queue_jobs', { state });
      expect(Number.isInteger(gauge.value) && gauge.value >= 0).toBe(true);
    }

    const document = await api(target).get('/docs-json').expect(200);
    expect(Object.keys(document.body.paths as object)).not.toContain('/metrics');
  });

  it('counts the rows an import processed and failed, per committed batch', async () => {
    // A server of its own (own database and queue on MariaDB) runs the import itself, so its
    // counters are exact: on the shared server other suites' imports count too, and on the
    // cluster target imports run in worker processes, which serve no /metrics.
    const stack =
      testTarget() === 'mariadb'
        ? await isolatedMariaDbStack(`metrics_${Date.now().toString(36)}`)
        : undefined;
    const server = await startServer(
      stack ? { ...stack, PROCESS_ROLE: 'all' } : isolatedServerEnv(),
    );
    servers.push(server);
    if (stack) cleanups.push(() => dropIsolatedDatabase(stack));
    const file = numberedCsv(4500, 8_000_000);
    const before = await scrape(server.url);
    const headers = as(newTenantId());
    const importId = await uploadCsv(headers, file.csv, server.url);
    const done = await waitForImport(headers, importId, { url: server.url, timeoutMs: 60_000 });
    expect(done).toMatchObject({ status: 'completed', failedCount: file.failed });
    const after = await scrape(server.url);
    const processed =
      total(after, 'contacts_import_rows_processed_total') -
      total(before, 'contacts_import_rows_processed_total');
    const failed =
      total(after, 'contacts_import_rows_failed_total') -
      total(before, 'contacts_import_rows_failed_total');
    expect([processed, failed]).toEqual([4500, file.failed]);
  }, 120_000);

  it('METRICS_ENABLED=false: /metrics is 404 and nothing is collected', async () => {
    const server = await startServer({ ...isolatedServerEnv(), METRICS_ENABLED: 'false' });
    servers.push(server);
    await api(server.url).get('/v1/contacts').set(as(newTenantId())).expect(200);
    const response = await api(server.url).get('/metrics').expect(404);
    expect(response.text).not.toContain('http_request_duration_seconds');
  });

  it('refuses a bad METRICS_ENABLED at start, naming the variable', async () => {
    await expect(startServer({ ...isolatedServerEnv(), METRICS_ENABLED: 'maybe' })).rejects.toThrow(
      /METRICS_ENABLED must be true or false/,
    );
  });
});
