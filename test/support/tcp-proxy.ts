import { createServer, Server, Socket } from 'node:net';

/**
 * A TCP proxy the test controls, placed between a server it starts and MariaDB or Redis, to
 * take the dependency away in the middle of requests and imports and give it back.
 * - `cut()`: closes every connection (the peer sees them reset) and refuses new ones, as a
 *   dependency that went down does.
 * - `stall()`: keeps connections open but forwards nothing, as a dependency that hangs does
 *   (connections accepted meanwhile wait too).
 * - `restore()`: forwards again; new connections reach the dependency.
 */
export class TcpProxy {
  private server?: Server;
  private readonly pairs = new Set<Pair>();
  private mode: 'open' | 'cut' | 'stalled' = 'open';
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** A proxy in front of the host and port of a mysql:// or redis:// URL. */
  static for(url: string): TcpProxy {
    const parsed = new URL(url);
    const fallback = parsed.protocol === 'redis:' ? 6379 : 3306;
    return new TcpProxy(parsed.hostname, Number(parsed.port || fallback));
  }

  /** The same URL, pointing at the proxy. */
  rewrite(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  async start(): Promise<void> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  private accept(client: Socket): void {
    client.on('error', () => undefined);
    if (this.mode === 'cut') {
      client.resetAndDestroy();
      return;
    }
    const upstream = new Socket();
    upstream.on('error', () => undefined);
    const pair = new Pair(client, upstream);
    this.pairs.add(pair);
    const forget = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', forget);
    upstream.on('close', forget);
    pair.stalled = this.mode === 'stalled';
    client.on('data', (chunk: Buffer) => pair.send('up', chunk));
    upstream.on('data', (chunk: Buffer) => pair.send('down', chunk));
    upstream.connect(this.targetPort, this.targetHost, () => {
      pair.connected = true;
      pair.flush();
    });
  }

  /** Every connection reset, new ones refused until restore(). */
  cut(): void {
    this.mode = 'cut';
    for (const pair of this.pairs) {
      pair.client.resetAndDestroy();
      pair.upstream.destroy();
    }
    this.pairs.clear();
  }

  /** Nothing forwarded either way until restore(); connections stay open. */
  stall(): void {
    this.mode = 'stalled';
    for (const pair of this.pairs) pair.stalled = true;
  }

  restore(): void {
    this.mode = 'open';
    for (const pair of this.pairs) {
      pair.stalled = false;
      pair.flush();
    }
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** One proxied connection; while stalled its bytes are held, in order, and sent on restore. */
class Pair {
  stalled = false;
  connected = false;
  private readonly held: ['up' | 'down', Buffer][] = [];

  constructor(
    readonly client: Socket,
    readonly upstream: Socket,
  ) {}

  send(direction: 'up' | 'down', chunk: Buffer): void {
    this.held.push([direction, chunk]);
    this.flush();
  }

  flush(): void {
    if (this.stalled || !this.connected) return;
    for (const [direction, chunk] of this.held.splice(0)) {
      (direction === 'up' ? this.upstream : this.client).write(chunk);
    }
  }
}
