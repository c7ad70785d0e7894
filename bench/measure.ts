import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface Measurement {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

export interface LoadRequest {
  method: string;
  /** Paths requested in turn (one connection after another takes the next). */
  paths: string[];
  body?: string;
  /** Body per request from a counter (overrides body), e.g. to keep created phones distinct. */
  makeBody?: (n: number, run: number) => string;
  /** Extra headers per request, e.g. a fresh Idempotency-Key. */
  makeHeaders?: (n: number, run: number) => Record<string, string>;
}

/** Load runs so far: a digit of it keeps generated values distinct between runs. */
let runs = 0;

/**
 * Loads `baseUrl` with the given requests for `durationSeconds` at `connections` connections,
 * with autocannon (a devDependency: nothing to install on the machine), and measures every
 * response's latency itself at sub-millisecond resolution (autocannon's histogram counts whole ms).
 */
export async function load(
  baseUrl: string,
  token: string,
  request: LoadRequest,
  options: { durationSeconds: number; connections: number; name: string },
): Promise<Measurement> {
  runs += 1;
  const run = runs % 10;
  let next = 0;
  const latencies: number[] = [];
  let failed = 0;
  const started = process.hrtime.bigint();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: baseUrl,
        title: options.name,
        connections: options.connections,
        duration: options.durationSeconds,
        // autocannon's default 10 s would count a slow search as an error instead of timing it.
        timeout: 30,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        requests: [
          {
            method: request.method as autocannon.Request['method'],
            setupRequest: (req: autocannon.Request) => {
              const n = next++;
              const path = request.paths[n % request.paths.length];
              const body = request.makeBody ? request.makeBody(n, run) : request.body;
              const headers = request.makeHeaders
                ? { ...req.headers, ...request.makeHeaders(n, run) }
                : req.headers;
              return { ...req, path, headers, ...(body === undefined ? {} : { body }) };
            },
          },
        ],
      },
      (error, finished) =>
        error
          ? reject(error instanceof Error ? error : new Error(String(error)))
          : resolve(finished),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 400) latencies.push(responseTime);
      else failed += 1;
    });
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: (latencies.length + failed) / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    errors: failed + result.errors + result.timeouts,
  };
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Latency of `work` run by `concurrency` loops for `durationMs`: the database floor. */
export async function timeLoop(
  work: () => Promise<unknown>,
  options: { durationMs: number; concurrency: number },
): Promise<Measurement> {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = Date.now() + options.durationMs;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (Date.now() < deadline) {
        const t = process.hrtime.bigint();
        try {
          await work();
        } catch {
          // Counted like an HTTP error: one failed statement must not end the whole run.
          errors++;
          continue;
        }
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    errors,
  };
}

/** Resident set of a process now and at its peak (VmRSS / VmHWM), in MB. */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}
