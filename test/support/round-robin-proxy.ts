import { createServer, IncomingMessage, request, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/** Names the replica that answered, so a test can see its requests were spread. */
export const REPLICA_HEADER = 'x-e2e-replica';

export interface RoundRobinProxy {
  url: string;
  close: () => Promise<void>;
}

/**
 * A tiny HTTP reverse proxy over several API processes. Requests are spread round robin per
 * caller (the Authorization header, one rotation for anonymous requests), so consecutive
 * requests of one test land on different replicas even while other tests run beside it.
 * Bodies stream both ways (CSV uploads pass through unbuffered).
 */
export async function startRoundRobinProxy(targets: string[]): Promise<RoundRobinProxy> {
  const next = new Map<string, number>();
  const pick = (req: IncomingMessage): number => {
    const caller = req.headers.authorization ?? '';
    const turn = next.get(caller) ?? 0;
    next.set(caller, turn + 1);
    return turn % targets.length;
  };

  const server: Server = createServer((req, res) => {
    const index = pick(req);
    const target = new URL(targets[index]);
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, {
          ...answer.headers,
          [REPLICA_HEADER]: String(index + 1),
        });
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`round-robin proxy: replica ${index + 1} failed: ${error.message}`);
      } else res.destroy(error);
    });
    // A client that gives up mid-request takes the upstream request with it.
    req.on('aborted', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
