import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';

/**
 * How much this machine alone stretches a fixed piece of CPU work: no database, no network, no
 * allocation worth a GC. A unit calibrated to `--work-ms` is timed `--samples` times in a row,
 * back to back as requests at 1 connection are; p50, p99 and max show the tail the machine adds
 * to any request of that length (a vCPU the host takes away for a while stretches every unit
 * that runs then, in proportion to its length).
 *
 *   node dist/bench/cpu-jitter.js [--work-ms 5] [--samples 4000]
 */
const { values: args } = parseArgs({
  options: {
    'work-ms': { type: 'string', default: '5' },
    samples: { type: 'string', default: '4000' },
  },
});

const block = Buffer.alloc(4096, 7);

function hashRounds(rounds: number): void {
  let digest = block;
  for (let i = 0; i < rounds; i++) digest = createHash('sha256').update(digest).digest();
}

/** Rounds that take about `ms` here: the median of several trials, so one stretched trial does not set it. */
function calibrate(ms: number): number {
  hashRounds(20_000); // warm: the JIT's tiers otherwise set the unit
  const trials: number[] = [];
  for (let t = 0; t < 15; t++) {
    const started = process.hrtime.bigint();
    hashRounds(1000);
    trials.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  trials.sort((a, b) => a - b);
  return Math.max(1, Math.round((1000 * ms) / trials[7]));
}

const workMs = Number(args['work-ms']);
const samples = Number(args.samples);
const rounds = calibrate(workMs);
const times: number[] = [];
for (let i = 0; i < samples; i++) {
  const started = process.hrtime.bigint();
  hashRounds(rounds);
  times.push(Number(process.hrtime.bigint() - started) / 1e6);
}
times.sort((a, b) => a - b);
const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
console.log(
  `| ${workMs} ms of CPU work × ${samples} | p50 ${at(0.5).toFixed(2)} ms | p99 ${at(0.99).toFixed(2)} ms | max ${times[times.length - 1].toFixed(2)} ms | p99 / p50 ${(at(0.99) / at(0.5)).toFixed(2)} |`,
);
