import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, as, newTenantId } from '../support/api';
import { backendEnv, ownQueueEnv, isolatedServerEnv } from '../support/backend';
import { waitForImport } from '../support/imports';
import { freePort, RunningServer, startServer } from '../support/server';
import { testTarget } from '../support/test-target';
import { RunningWorker, startWorker } from '../support/worker';

interface Span {
  scope: string;
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
  links: { traceId: string; spanId: string }[];
}

/** The part of an OTLP/JSON ExportTraceServiceRequest the tests read. */
interface OtlpTraces {
  resourceSpans: {
    scopeSpans: {
      scope: { name: string };
      spans: {
        name: string;
        kind: number;
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        attributes?: { key: string; value: Record<string, unknown> }[];
        links?: { traceId: string; spanId: string }[];
      }[];
    }[];
  }[];
}

/** OTLP/JSON AnyValue → a plain value. */
function plain(value: Record<string, unknown>): unknown {
  const [entry] = Object.entries(value);
  return entry?.[0] === 'intValue' ? Number(entry[1]) : entry?.[1];
}

/**
 * A local OTLP/HTTP trace receiver. The OTLP/HTTP exporter (exporter-trace-otlp-http) sends
 * OTLP/JSON (hex ids) to <endpoint>/v1/traces; anything else is recorded as a failure.
 */
class Receiver {
  readonly spans: Span[] = [];
  readonly problems: string[] = [];
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    const port = await freePort();
    this.server = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        if (
          request.url !== '/v1/traces' ||
          request.headers['content-type'] !== 'application/json'
        ) {
          this.problems.push(`${request.method} ${request.url} ${request.headers['content-type']}`);
        } else {
          this.collect(JSON.parse(body) as OtlpTraces);
        }
        response.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${port}`;
  }

  private collect(document: OtlpTraces) {
    for (const resourceSpans of document.resourceSpans) {
      for (const scopeSpans of resourceSpans.scopeSpans) {
        for (const span of scopeSpans.spans) {
          this.spans.push({
            scope: scopeSpans.scope.name,
            name: span.name,
            kind: span.kind,
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId || undefined,
            attributes: Object.fromEntries(
              (span.attributes ?? []).map((a) => [a.key, plain(a.value)]),
            ),
            links: (span.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId })),
          });
        }
      }
    }
  }

  /** Waits until `found` returns something from the spans received so far. */
  async waitFor<T>(found: (spans: Span[]) => T | undefined, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const result = found(this.spans);
      if (result !== undefined) return result;
      if (Date.now() > deadline) {
        throw new Error(
          `spans not received: ${JSON.stringify(this.spans.map((s) => [s.scope, s.name, s.traceId]))} ${this.problems.join('; ')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const SPAN_KIND_SERVER = 2;

describe('tracing (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  const receiver = new Receiver();
  const processes: (RunningServer | RunningWorker)[] = [];
  let traced: RunningServer;
  // Spans leave every 100 ms instead of every 5 s.
  let otel: Record<string, string>;
  // On MariaDB the traced server's uploads go to a queue only the traced worker takes from.
  const queue = testTarget() === 'mariadb' ? ownQueueEnv() : {};

  beforeAll(async () => {
    await receiver.start();
    otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100' };
    traced = await startServer({ ...isolatedServerEnv(), ...queue, ...otel });
    processes.push(traced);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await receiver.stop();
  });

  it('continues the incoming traceparent: the request’s spans, including the database’s, share its trace id', async () => {
    const headers = as(newTenantId());
    const created = await api(traced.url)
      .post('/v1/contacts')
      .set(headers)
      .send({ name: 'Traced Contact' })
      .expect(201);
    const traceId = hex(16);
    const parentId = hex(8);
    await api(traced.url)
      .get(`/v1/contacts/${created.body.id}`)
      .set({ ...headers, traceparent: `00-${traceId}-${parentId}-01` })
      .expect(200);

    // The server span is the caller's span's child, named by the route template.
    const server = await receiver.waitFor((spans) =>
      spans.find((s) => s.traceId === traceId && s.kind === SPAN_KIND_SERVER),
    );
    expect(server).toMatchObject({ name: 'GET /v1/contacts/:id', parentSpanId: parentId });
    expect(server.scope).toBe('@opentelemetry/instrumentation-http');
    const express = await receiver.waitFor((spans) =>
      spans.find((s) => s.traceId === traceId && s.name === 'request handler'),
    );
    expect(express.scope).toBe('@opentelemetry/instrumentation-express');

    const isDatabaseSpan = (s: Span) =>
      s.traceId === traceId && s.scope === '@opentelemetry/instrumentation-mysql2';
    if (testTarget() === 'mariadb') {
      // MariaDB proves the database span: TypeORM queries through mysql2, which is instrumented.
      const query = await receiver.waitFor((spans) => spans.find(isDatabaseSpan));
      expect(String(query.attributes['db.statement'] ?? query.attributes['db.query.text'])).toMatch(
        /SELECT/i,
      );
      const ids = new Set(receiver.spans.filter((s) => s.traceId === traceId).map((s) => s.spanId));
      expect(ids.has(query.parentSpanId!)).toBe(true);
    } else {
      // The embedded SQLite (better-sqlite3) has no OpenTelemetry instrumentation: the request's
      // trace holds the HTTP and Express spans only. The database span is proven on MariaDB.
      expect(receiver.spans.filter(isDatabaseSpan)).toEqual([]);
    }
    // Nothing of the request's trace leaked the tenant's token.
    expect(JSON.stringify(receiver.spans)).not.toContain(headers.Authorization.slice(7));
  });

  it('runs an import in a job span of its own trace, linked to the upload’s trace', async () => {
    // Embedded: the traced server runs its own imports (its own SQLite, in-process queue).
    // MariaDB: it only serves HTTP, and a traced worker takes its jobs from their own queue.
    if (testTarget() === 'mariadb') {
      processes.push(await startWorker({ ...backendEnv(), ...queue, ...otel }));
    }
    const headers = as(newTenantId());
    const traceId = hex(16);
    const response = await api(traced.url)
      .post('/v1/contacts/import')
      .set({ ...headers, traceparent: `00-${traceId}-${hex(8)}-01` })
      .attach('file', Buffer.from('name,phone\nAnna,+48518000001\n'), 'contacts.csv')
      .expect(202);
    const importId = response.body.importId as string;
    await waitForImport(headers, importId, { url: traced.url });
    const linkedJob = (spans: Span[]) =>
      spans.find((s) => s.name === 'import.process' && s.links.some((l) => l.traceId === traceId));
    const job = await receiver.waitFor(linkedJob);
    const link = job.links.find((l) => l.traceId === traceId)!;
    expect(job.attributes['contacts.import_id']).toBe(importId);
    // Its own trace, not a child of the upload's request.
    expect(job.traceId).not.toBe(link.traceId);
    expect(job.parentSpanId).toBeUndefined();
    // The link names a span of the upload's trace.
    const upload = await receiver.waitFor((spans) =>
      spans.find((s) => s.traceId === link.traceId && s.kind === SPAN_KIND_SERVER),
    );
    expect(upload.name).toBe('POST /v1/contacts/import');
    expect(receiver.spans.some((s) => s.traceId === link.traceId && s.spanId === link.spanId)).toBe(
      true,
    );
  }, 120_000);

  it('without OTEL_EXPORTER_OTLP_ENDPOINT loads no OpenTelemetry SDK, exporter or instrumentation', async () => {
    // A preload that reports how many @opentelemetry modules the process has required, besides
    // the no-op API package (prom-client requires it for exemplars; without an SDK it does nothing).
    const probe = join(tmpdir(), `otel-probe-${hex(4)}.js`);
    writeFileSync(
      probe,
      `setInterval(() => console.log('otel-modules=' + Object.keys(require.cache).filter((k) => /@opentelemetry[\\/](?!api[\\/])/.test(k)).length), 200).unref();`,
    );
    const plainServer = await startServer({
      ...isolatedServerEnv(),
      NODE_OPTIONS: `--require ${probe}`,
    });
    processes.push(plainServer);
    await api(plainServer.url).get('/v1/contacts').set(as(newTenantId())).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const reports = [...plainServer.output().matchAll(/otel-modules=(\d+)/g)].map((m) => m[1]);
    expect(reports.length).toBeGreaterThan(0);
    expect(new Set(reports)).toEqual(new Set(['0']));

    // The same probe sees them load when the endpoint is set: the probe can tell.
    const tracedProbe = await startServer({
      ...isolatedServerEnv(),
      ...otel,
      NODE_OPTIONS: `--require ${probe}`,
    });
    processes.push(tracedProbe);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const loaded = [...tracedProbe.output().matchAll(/otel-modules=(\d+)/g)].map((m) =>
      Number(m[1]),
    );
    expect(Math.max(...loaded)).toBeGreaterThan(10);
  }, 120_000);
});
