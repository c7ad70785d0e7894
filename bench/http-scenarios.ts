import { Pool, RowDataPacket } from 'mysql2/promise';
import { startServer, stopServer, waitHealthy } from './bench-processes';
import { load, Measurement, memoryOf, timeLoop } from './measure';
import { buildScenarios } from './scenarios';
import { rareTerms, SeededTenant } from './seed';

/** What the HTTP scenarios need from the run: where, how long, how wide, which scenarios. */
export interface HttpScenarioOptions {
  urls: { database: string; redis: string };
  port: number;
  tenant: SeededTenant;
  durationSeconds: number;
  connections: number;
  /** Only the scenarios whose name it matches (--only). */
  only?: RegExp;
  token: (tenantId: string) => string;
  log: (message: string) => void;
}

/** The results table's rows (bare route first) and an EXPLAIN per list query shape. */
export interface HttpResults {
  lines: string[];
  explains: string[];
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/** The cursor of page `pages` of the plain list, for the deep-page scenarios. */
async function deepPageCursor(baseUrl: string, auth: string, pages: number) {
  let tokenValue = '';
  for (let i = 1; i < pages; i++) {
    const response = await fetch(
      `${baseUrl}/v1/contacts?pageSize=50${tokenValue ? `&pageToken=${encodeURIComponent(tokenValue)}` : ''}`,
      { headers: { Authorization: `Bearer ${auth}` } },
    );
    const body = (await response.json()) as {
      contacts: { id: string; createdAt: string }[];
      nextPageToken: string;
    };
    tokenValue = body.nextPageToken;
    if (i === pages - 1) {
      const last = body.contacts.at(-1)!;
      return {
        token: tokenValue,
        id: last.id,
        createdAt: last.createdAt.replace('T', ' ').replace('Z', ''),
      };
    }
  }
  throw new Error('not enough pages');
}

export async function httpScenarios(
  pool: Pool,
  options: HttpScenarioOptions,
): Promise<HttpResults> {
  const { urls, port, durationSeconds, connections, only, token } = options;
  const lines: string[] = [];
  const baseUrl = `http://127.0.0.1:${port}`;
  const server = startServer('dist/bench/bench-server.js', {
    DATABASE_URL: urls.database,
    REDIS_URL: urls.redis,
    PORT: String(port),
  });
  await waitHealthy(baseUrl, [server]);
  const { tenant } = options;
  const auth = token(tenant.tenantId);
  const deep = await deepPageCursor(baseUrl, auth, 500);
  const rare = await rareTerms(pool, tenant, async (id, name) => {
    const response = await fetch(`${baseUrl}/v1/contacts/${id}`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${auth}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    if (!response.ok) throw new Error(`renaming ${id}: ${response.status}`);
  });
  const loadOptions = { durationSeconds, connections };

  options.log(`baseline: bare route`);
  await load(
    baseUrl,
    auth,
    { method: 'GET', paths: ['/bench/contact'] },
    { ...loadOptions, durationSeconds: 3, name: 'warmup' },
  );
  const ceiling = await load(
    baseUrl,
    auth,
    { method: 'GET', paths: ['/bench/contact'] },
    { ...loadOptions, name: 'ceiling' },
  );
  // Latency without queueing: one client at a time.
  const ceilingAlone = await load(
    baseUrl,
    auth,
    { method: 'GET', paths: ['/bench/contact'] },
    { ...loadOptions, connections: 1, name: 'ceiling-1' },
  );
  lines.push(
    `| scenario | req/s | p50 ms | p99 ms | p50 ms, 1 conn | p99 ms, 1 conn | errors | floor req/s | floor p50 | floor p99 | × ceiling req/s | × floor p50 | server RSS MB |`,
    `| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`,
    `| bare NestJS route (framework ceiling) | ${fmt(ceiling.requestsPerSecond, 0)} | ${fmt(ceiling.p50Ms, 2)} | ${fmt(ceiling.p99Ms, 2)} | ${fmt(ceilingAlone.p50Ms, 2)} | ${fmt(ceilingAlone.p99Ms, 2)} | ${ceiling.errors} | | | | 1.00 | | ${fmt(memoryOf(server.pid!).rssMb, 0)} |`,
  );
  const explains: string[] = [];
  // A reused seed holds the contacts earlier runs created: new phone numbers start past them.
  const [[created]] = await pool.query<RowDataPacket[]>(
    "SELECT COUNT(*) AS n FROM contacts WHERE tenant_id = ? AND name = 'Bench Create'",
    [tenant.tenantId],
  );
  const chosen = buildScenarios(tenant, deep, rare, Number(created.n)).filter(
    (s) => !only || only.test(s.name),
  );
  for (const scenario of chosen) {
    options.log(`scenario: ${scenario.name}`);
    const http: Measurement = await load(baseUrl, auth, scenario.http, {
      ...loadOptions,
      name: scenario.name.replace(/\W+/g, '-'),
    });
    const alone: Measurement = await load(baseUrl, auth, scenario.http, {
      ...loadOptions,
      connections: 1,
      name: `${scenario.name.replace(/\W+/g, '-')}-1`,
    });
    const floor = await timeLoop(() => scenario.floor(pool), {
      durationMs: Math.min(5000, durationSeconds * 1000),
      concurrency: connections,
    });
    lines.push(
      `| ${scenario.name} | ${fmt(http.requestsPerSecond, 0)} | ${fmt(http.p50Ms, 2)} | ${fmt(http.p99Ms, 2)} | ${fmt(alone.p50Ms, 2)} | ${fmt(alone.p99Ms, 2)} | ${http.errors + alone.errors}${floor.errors ? ` (floor ${floor.errors})` : ''} | ${fmt(floor.requestsPerSecond, 0)} | ${fmt(floor.p50Ms, 2)} | ${fmt(floor.p99Ms, 2)} | ${fmt(http.requestsPerSecond / ceiling.requestsPerSecond, 2)} | ${fmt(http.p50Ms / floor.p50Ms, 2)} | ${fmt(memoryOf(server.pid!).rssMb, 0)} |`,
    );
    // As it goes: a run that fails later keeps what it measured in its log.
    options.log(lines[lines.length - 1]);
    if (scenario.explain) {
      const [plan] = await pool.query<RowDataPacket[]>(
        `EXPLAIN ${scenario.explain.sql}`,
        scenario.explain.params,
      );
      explains.push(
        `#### ${scenario.name}\n\n\`\`\`sql\n${scenario.explain.sql}\n\`\`\`\n\n| table | type | key | rows | Extra |\n| --- | --- | --- | ---: | --- |\n${plan.map((r) => `| ${r.table} | ${r.type} | ${r.key ?? ''} | ${r.rows} | ${r.Extra ?? ''} |`).join('\n')}\n`,
      );
    }
  }
  await stopServer(server);
  return { lines, explains };
}
