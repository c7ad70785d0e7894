import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sign } from 'jsonwebtoken';
import { createPool } from 'mysql2/promise';
import { ROOT, runBench, SECRET, startServer, stopServer, waitHealthy } from './bench-processes';
import { load, LoadRequest, Measurement } from './measure';
import { reuseSeededTenant } from './seed';

/**
 * A/B of server settings on the database-backed reads, on a database `npm run bench` seeded:
 * every round starts one server per variant (in a rotating order, so the machine's drift spreads
 * over all of them), warms it up and measures get by id and the first list page. The report is
 * the median over rounds of each figure.
 *
 *   node dist/bench/ab.js --compare metrics     # METRICS_ENABLED on / off
 *   node dist/bench/ab.js --compare semi-space  # default vs --max-semi-space-size 1/2/4/8 MB
 */

const { values: args } = parseArgs({
  options: {
    compare: { type: 'string', default: 'metrics' },
    contacts: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '1,4' },
  },
});

interface Variant {
  name: string;
  env: Record<string, string>;
  nodeFlags: string[];
}

const VARIANTS: Record<string, Variant[]> = {
  metrics: [
    { name: 'metrics on', env: {}, nodeFlags: [] },
    { name: 'metrics off', env: { METRICS_ENABLED: 'false' }, nodeFlags: [] },
  ],
  'semi-space': [
    { name: 'default', env: {}, nodeFlags: [] },
    ...[1, 2, 4, 8].map((mb) => ({
      name: `--max-semi-space-size=${mb}`,
      env: {},
      nodeFlags: [`--max-semi-space-size=${mb}`],
    })),
  ],
};

const variants = VARIANTS[args.compare];
if (!variants) throw new Error(`--compare must be one of ${Object.keys(VARIANTS).join(', ')}`);
const rounds = Number(args.rounds);
const durationSeconds = Number(args.duration);
const connectionCounts = args.connections.split(',').map(Number);
const port = Number(process.env.BENCH_PORT ?? 3900);
const databaseUrl =
  process.env.BENCH_DATABASE_URL ?? 'mysql://contacts:contacts@127.0.0.1:3306/contacts_bench';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/12';

function start(variant: Variant): ChildProcess {
  return startServer(
    'dist/bench/bench-server.js',
    { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, PORT: String(port), ...variant.env },
    { nodeFlags: variant.nodeFlags },
  );
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function main() {
  const pool = createPool({ uri: databaseUrl, connectionLimit: 2, timezone: 'Z' });
  const tenant = await reuseSeededTenant(pool, 'tn_bench_a', Number(args.contacts));
  await pool.end();
  if (!tenant) throw new Error(`no seeded tenant of ${args.contacts}: run npm run bench first`);
  const token = sign(
    { tenantId: tenant.tenantId, role: 'admin', scope: 'contact:list contact:read' },
    SECRET,
    {
      subject: 'usr_bench',
      expiresIn: 3600 * 4,
    },
  );
  const ids = tenant.contactIds;
  const routes: { name: string; request: LoadRequest }[] = [
    {
      name: 'get by id',
      request: {
        method: 'GET',
        paths: Array.from(
          { length: 1000 },
          (_, i) => `/v1/contacts/${ids[Math.floor((i * ids.length) / 1000)]}`,
        ),
      },
    },
    { name: 'list, first page', request: { method: 'GET', paths: ['/v1/contacts'] } },
  ];
  const url = `http://127.0.0.1:${port}`;
  /** variant → "route @ c conn" → measurements, one per round */
  const results = new Map<string, Map<string, Measurement[]>>(
    variants.map((v) => [v.name, new Map()]),
  );
  const children = new Set<ChildProcess>();
  const cleanup = () => children.forEach((c) => c.kill('SIGKILL'));
  process.once('exit', cleanup);
  for (let round = 0; round < rounds; round++) {
    const order = variants.map((_, i) => variants[(i + round) % variants.length]);
    for (const variant of order) {
      const child = start(variant);
      children.add(child);
      try {
        await waitHealthy(url, [child]);
        const options = { durationSeconds, connections: 1, name: 'ab' };
        for (const route of routes)
          await load(url, token, route.request, { ...options, durationSeconds: 2 });
        for (const route of routes) {
          for (const connections of connectionCounts) {
            const m = await load(url, token, route.request, { ...options, connections });
            const key = `${route.name} @ ${connections} conn`;
            const list = results.get(variant.name)!.get(key) ?? [];
            list.push(m);
            results.get(variant.name)!.set(key, list);
            console.log(
              `[ab] round ${round + 1} ${variant.name}, ${key}: p50 ${m.p50Ms.toFixed(2)} ms, p99 ${m.p99Ms.toFixed(2)} ms, ${m.requestsPerSecond.toFixed(0)} req/s, errors ${m.errors}`,
            );
          }
        }
      } finally {
        await stopServer(child);
        children.delete(child);
      }
    }
  }

  const keys = [...results.get(variants[0].name)!.keys()];
  const lines = [
    `# A/B: ${args.compare}`,
    '',
    `${new Date().toISOString()}, ${process.version}, ${args.contacts} contacts per tenant, ${rounds} interleaved rounds of ${durationSeconds} s per figure; medians over rounds (all rounds in brackets).`,
    '',
    `| variant | ${keys.map((k) => `${k} p50 ms | ${k} p99 ms`).join(' | ')} |`,
    `| --- | ${keys.map(() => '---: | ---:').join(' | ')} |`,
    ...variants.map((v) => {
      const cells = keys.map((k) => {
        const list = results.get(v.name)!.get(k)!;
        const show = (pick: (m: Measurement) => number) =>
          `${median(list.map(pick)).toFixed(2)} (${list.map((m) => pick(m).toFixed(1)).join(', ')})`;
        return `${show((m) => m.p50Ms)} | ${show((m) => m.p99Ms)}`;
      });
      return `| ${v.name} | ${cells.join(' | ')} |`;
    }),
  ];
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', `ab-${args.compare}.md`), lines.join('\n') + '\n');
  console.log('\n' + lines.join('\n'));
}

runBench(main, (message) => console.log(`[ab] ${message}`));
