import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Measurement {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

function toMs(value: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(value.trim());
  if (!match) return NaN;
  const n = Number(match[1]);
  return { us: n / 1000, ms: n, s: n * 1000, m: n * 60_000 }[match[2] as 'us' | 'ms' | 's' | 'm'];
}

export interface WrkRequest {
  method: string;
  paths: string[];
  body?: string;
  /** Lua expression producing the body per request (overrides body). */
  luaBody?: string;
  /** Lua table constructor of extra headers per request, e.g. a fresh Idempotency-Key. */
  luaHeaders?: string;
}

/** wrk invocations so far: a digit of it keeps generated values distinct between runs. */
let runs = 0;

/** Runs wrk against `baseUrl` with the given requests and parses its latency distribution. */
export async function wrk(
  baseUrl: string,
  token: string,
  request: WrkRequest,
  options: { durationSeconds: number; connections: number; workDir: string; name: string },
): Promise<Measurement> {
  const script = join(options.workDir, `${options.name}.lua`);
  runs += 1;
  const paths = request.paths.map((p) => JSON.stringify(p)).join(',\n');
  writeFileSync(
    script,
    `math.randomseed(os.time() + math.floor(os.clock() * 1000000))
local paths = {${paths}}
local i = 0
local next_thread_id = 0
function setup(thread)
  next_thread_id = next_thread_id + 1
  thread:set("thread_id", next_thread_id)
end
wrk.method = "${request.method}"
wrk.headers["Authorization"] = "Bearer ${token}"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i + 1
  local body = ${request.luaBody?.replaceAll('RUN', String(runs % 10)) ?? (request.body ? JSON.stringify(request.body) : 'nil')}
  local headers = nil
  local extra = ${request.luaHeaders?.replaceAll('RUN', String(runs % 10)) ?? 'nil'}
  if extra then
    -- wrk.format takes these instead of wrk.headers, not on top of them
    headers = {}
    for name, value in pairs(wrk.headers) do headers[name] = value end
    for name, value in pairs(extra) do headers[name] = value end
  end
  return wrk.format(nil, paths[(i % #paths) + 1], headers, body)
end
`,
  );
  const threads = Math.min(2, options.connections);
  const { stdout } = await run(
    'wrk',
    [
      `-t${threads}`,
      `-c${options.connections}`,
      `-d${options.durationSeconds}s`,
      '--latency',
      // wrk's default 2 s would count a slow search as a socket error instead of timing it.
      '--timeout',
      '30s',
      '-s',
      script,
      baseUrl,
    ],
    { maxBuffer: 10 * 1024 * 1024 },
  );
  const line = (label: string) =>
    new RegExp(`^\\s*${label}\\s+(\\S+)`, 'm').exec(stdout)?.[1] ?? '';
  const errors = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    stdout,
  );
  return {
    requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? NaN),
    p50Ms: toMs(line('50%')),
    p99Ms: toMs(line('99%')),
    errors: errors + (socketErrors ? socketErrors.slice(1).reduce((s, n) => s + Number(n), 0) : 0),
  };
}

/** Latency of `work` run by `concurrency` loops for `durationMs`: the database floor. */
export async function timeLoop(
  work: () => Promise<unknown>,
  options: { durationMs: number; concurrency: number },
): Promise<Measurement> {
  const latencies: number[] = [];
  const deadline = Date.now() + options.durationMs;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (Date.now() < deadline) {
        const t = process.hrtime.bigint();
        await work();
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return {
    requestsPerSecond: latencies.length / seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    errors: 0,
  };
}

/** Resident set of a process now and at its peak (VmRSS / VmHWM), in MB. */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}
