import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sign } from 'jsonwebtoken';
import { createPool } from 'mysql2/promise';
import {
  resetDatabase,
  ROOT,
  SECRET,
  startServer,
  stopServer,
  waitHealthy,
} from './bench-processes';
import { seedTenant } from './seed';
import { countSeededTags } from './tag-counts';

const SCOPES =
  'contact:list contact:read contact:create contact:update contact:delete tag:list tag:create';

export interface SoakOptions {
  databaseUrl: string;
  redisUrl: string;
  port: number;
  durationSeconds: number;
  connections: number;
  contacts: number;
}

export interface SoakReport {
  markdown: string;
  errors: number;
}

interface Minute {
  requests: number;
  errors: number;
  latencies: number[];
}

/** What the load loop does, by weight: mostly reads, a quarter writes. */
const MIX: [weight: number, kind: Kind][] = [
  [35, 'list'],
  [10, 'search'],
  [15, 'get'],
  [8, 'count'],
  [7, 'tags'],
  [13, 'create'],
  [8, 'update'],
  [4, 'delete'],
];
type Kind = 'list' | 'search' | 'get' | 'count' | 'tags' | 'create' | 'update' | 'delete';
const TOTAL_WEIGHT = MIX.reduce((sum, [weight]) => sum + weight, 0);

function pickKind(random: number): Kind {
  let left = random * TOTAL_WEIGHT;
  for (const [weight, kind] of MIX) {
    if ((left -= weight) < 0) return kind;
  }
  return 'list';
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * The soak: one server (API + worker) on MariaDB + Redis, `connections` loops of mixed reads
 * and writes for `durationSeconds`, each loop one request at a time on Node's fetch. Reports
 * errors (any non-2xx or failed request), RSS at start and end, and p50/p99 per minute.
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = (message: string) => console.log(`[soak] ${message}`);
  log(`resetting ${options.databaseUrl.replace(/:[^:@/]*@/, ':***@')}`);
  await resetDatabase(options.databaseUrl);
  execFileSync('redis-cli', ['-u', options.redisUrl, 'FLUSHDB'], { stdio: 'ignore' });
  const pool = createPool({ uri: options.databaseUrl, connectionLimit: 4, timezone: 'Z' });
  const tenant = await seedTenant(pool, 'tn_soak', options.contacts, 7, 48700000000);
  await countSeededTags(pool);
  await pool.end();
  log(`seeded ${options.contacts} contacts`);

  const baseUrl = `http://127.0.0.1:${options.port}`;
  const server = startServer('dist/src/main.js', {
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    PORT: String(options.port),
  });
  try {
    await waitHealthy(baseUrl, [server]);
    const auth = {
      Authorization: `Bearer ${sign({ tenantId: tenant.tenantId, role: 'admin', scope: SCOPES }, SECRET, { subject: 'usr_soak', expiresIn: 3600 * 4 })}`,
    };
    return await load(baseUrl, auth, tenant, server.pid!, options, log);
  } finally {
    await stopServer(server);
  }
}

async function load(
  baseUrl: string,
  auth: Record<string, string>,
  tenant: { contactIds: string[]; tagIds: string[]; commonTerm: string },
  pid: number,
  options: SoakOptions,
  log: (message: string) => void,
): Promise<SoakReport> {
  const json = { ...auth, 'Content-Type': 'application/json' };
  const minutes: Minute[] = [];
  const errorSamples = new Map<string, number>();
  const rss: { atSeconds: number; mb: number }[] = [{ atSeconds: 0, mb: rssMb(pid) }];
  const started = Date.now();
  const endAt = started + options.durationSeconds * 1000;
  let phoneSeq = 0;

  const byKind = new Map<Kind, number[]>();
  let current: Kind = 'list';
  const request = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const kind = current;
    const begin = performance.now();
    const minute = Math.floor((Date.now() - started) / 60_000);
    const bucket = (minutes[minute] ??= { requests: 0, errors: 0, latencies: [] });
    let outcome = '';
    let parsed: unknown;
    try {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: body === undefined ? auth : json,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      if (!response.ok) outcome = `${method} ${path.split('?')[0]} → ${response.status}`;
      else parsed = text ? JSON.parse(text) : undefined;
    } catch (error) {
      outcome = `${method} ${path.split('?')[0]} → ${(error as Error).name}`;
    }
    bucket.requests++;
    const took = performance.now() - begin;
    bucket.latencies.push(took);
    if (!byKind.has(kind)) byKind.set(kind, []);
    byKind.get(kind)!.push(took);
    if (outcome) {
      bucket.errors++;
      errorSamples.set(outcome.replace(/con_\w+/, ':id'), (errorSamples.get(outcome) ?? 0) + 1);
    }
    return parsed;
  };

  const loop = async (worker: number) => {
    const own: string[] = [];
    let random = worker + 1;
    const next = () => {
      // xorshift: a fixed sequence per loop, so two runs make the same requests.
      random ^= random << 13;
      random ^= random >>> 17;
      random ^= random << 5;
      return (random >>> 0) / 2 ** 32;
    };
    const anyContact = () => tenant.contactIds[Math.floor(next() * tenant.contactIds.length)];
    const anyTag = () => tenant.tagIds[Math.floor(next() * tenant.tagIds.length)];
    while (Date.now() < endAt) {
      const kind = pickKind(next());
      current = kind;
      switch (kind) {
        case 'list':
          await request('GET', `/v1/contacts?pageSize=50&tagIds=${anyTag()}`);
          break;
        case 'search':
          await request('GET', `/v1/contacts?pageSize=20&search=${tenant.commonTerm}`);
          break;
        case 'get':
          await request('GET', `/v1/contacts/${anyContact()}`);
          break;
        case 'count':
          await request('GET', `/v1/contacts/count?tagIds=${anyTag()}`);
          break;
        case 'tags':
          await request('GET', '/v1/tags');
          break;
        case 'create': {
          const n = worker * 10_000_000 + phoneSeq++;
          const created = (await request('POST', '/v1/contacts', {
            name: `Soak ${worker} ${n}`,
            phone: `+4852${String(n % 10_000_000).padStart(7, '0')}`,
            customFields: { email: `soak${n}@example.com` },
          })) as { id?: string } | undefined;
          if (created?.id) own.push(created.id);
          break;
        }
        case 'update':
          if (own.length > 0) {
            await request('PATCH', `/v1/contacts/${own[own.length - 1]}`, {
              name: `Renamed ${worker} ${phoneSeq}`,
            });
          } else {
            await request('GET', `/v1/contacts/${anyContact()}`);
          }
          break;
        case 'delete':
          if (own.length > 0) await request('DELETE', `/v1/contacts/${own.shift()}`);
          else await request('GET', '/v1/tags');
          break;
      }
    }
  };

  const sampler = setInterval(() => {
    rss.push({ atSeconds: Math.round((Date.now() - started) / 1000), mb: rssMb(pid) });
    const minute = minutes[minutes.length - 1];
    if (minute && rss.length % 6 === 0) {
      log(
        `${rss.at(-1)!.atSeconds} s: ${minute.requests} requests this minute, RSS ${fmt(rss.at(-1)!.mb)} MB`,
      );
    }
  }, 10_000);
  await Promise.all(Array.from({ length: options.connections }, (_, i) => loop(i)));
  clearInterval(sampler);
  rss.push({ atSeconds: Math.round((Date.now() - started) / 1000), mb: rssMb(pid) });

  const errors = minutes.reduce((sum, m) => sum + (m?.errors ?? 0), 0);
  const requests = minutes.reduce((sum, m) => sum + (m?.requests ?? 0), 0);
  // Start = once warmed up (the first sample after one minute), end = the last sample.
  const warm = rss.find((sample) => sample.atSeconds >= 60) ?? rss[0];
  const end = rss[rss.length - 1];
  const lines = [
    `## Soak: ${options.connections} connections, mixed reads and writes, ${options.durationSeconds} s, MariaDB + Redis`,
    '',
    `${new Date().toISOString()}, ${process.version}, ${options.contacts} seeded contacts; mix by weight: ${MIX.map(([w, k]) => `${k} ${w}`).join(', ')}.`,
    '',
    `- requests: ${requests} (${fmt(requests / options.durationSeconds)} per second), errors: ${errors}`,
    `- server RSS: ${fmt(rss[0].mb)} MB before the load, ${fmt(warm.mb)} MB at ${warm.atSeconds} s, ${fmt(end.mb)} MB at the end (${fmt(((end.mb - warm.mb) / warm.mb) * 100)} % from ${warm.atSeconds} s; max ${fmt(Math.max(...rss.map((s) => s.mb)))} MB)`,
    '',
    '| minute | requests | errors | p50 ms | p99 ms | max ms |',
    '| --- | --- | --- | --- | --- | --- |',
    ...minutes.map((m, i) => {
      const sorted = [...m.latencies].sort((a, b) => a - b);
      return `| ${i + 1} | ${m.requests} | ${m.errors} | ${fmt(percentile(sorted, 50))} | ${fmt(percentile(sorted, 99))} | ${fmt(sorted[sorted.length - 1] ?? NaN)} |`;
    }),
  ];
  lines.push(
    '',
    '| request | count | p50 ms | p99 ms |',
    '| --- | --- | --- | --- |',
    ...[...byKind].map(([kind, latencies]) => {
      const sorted = [...latencies].sort((a, b) => a - b);
      return `| ${kind} | ${sorted.length} | ${fmt(percentile(sorted, 50))} | ${fmt(percentile(sorted, 99))} |`;
    }),
  );
  if (errorSamples.size > 0) {
    lines.push('', 'Errors:', ...[...errorSamples].map(([what, count]) => `- ${what}: ${count}`));
  }
  const markdown = lines.join('\n') + '\n';
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'soak.md'), markdown);
  return { markdown, errors };
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
