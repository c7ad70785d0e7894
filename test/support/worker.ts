import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { MAIN } from './server';

const ROOT = join(__dirname, '..', '..');

export interface RunningWorker {
  process: ChildProcess;
  output: () => string;
  /** SIGKILL: the process dies mid-work, as in a crash. */
  kill: () => Promise<void>;
  /** SIGTERM, then SIGKILL after 10 s. */
  stop: () => Promise<void>;
}

/**
 * Starts a worker-only process (PROCESS_ROLE=worker: no HTTP, runs queued imports) on the built
 * app and waits for its "worker started" log line.
 */
export async function startWorker(env: Record<string, string | undefined>): Promise<RunningWorker> {
  const childEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  for (const [key, value] of Object.entries({ LOG_LEVEL: 'log', ...env, PROCESS_ROLE: 'worker' })) {
    if (value !== undefined) childEnv[key] = value;
  }
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const started = () => logLines(output).some((line) => messageOf(line) === 'worker started');
  const deadline = Date.now() + 120_000;
  while (!started()) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`worker exited (${child.exitCode ?? child.signalCode}):\n${output}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`worker did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    process: child,
    output: () => output,
    kill: async () => {
      if (alive()) {
        child.kill('SIGKILL');
        await exited;
      }
    },
    stop: async () => {
      if (alive()) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** The JSON log lines of a process's output. */
export function logLines(output: string): Record<string, unknown>[] {
  return output.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/** A log line's message: Nest's JSON logger nests object messages (`{ message: {...} }`). */
export function messageOf(line: Record<string, unknown>): unknown {
  const message = line.message;
  return message && typeof message === 'object'
    ? (message as { message?: unknown }).message
    : message;
}

/** Whether the worker (started with LOG_LEVEL=debug) wrote a batch of this import. */
export function ranImport(worker: RunningWorker, importId: string): boolean {
  return logLines(worker.output()).some(
    (line) =>
      messageOf(line) === 'import batch' &&
      (line.message as { importId?: string }).importId === importId,
  );
}
