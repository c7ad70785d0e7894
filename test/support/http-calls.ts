/** A reply with how long it took: the fault specs assert on time as well as status. */
export interface Reply {
  status: number;
  headers: Headers;
  body: any;
  ms: number;
}

/**
 * One HTTP call with fetch. `UPLOAD` posts `body` (a string) as the multipart `file` part of
 * an import. Network failures reject; every HTTP answer resolves.
 */
export async function call(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<Reply> {
  const started = Date.now();
  let init: RequestInit;
  if (method === 'UPLOAD') {
    const form = new FormData();
    form.append('file', new Blob([String(body)], { type: 'text/csv' }), 'contacts.csv');
    init = { method: 'POST', headers, body: form };
  } else {
    init = {
      method,
      headers: body === undefined ? headers : { ...headers, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    };
  }
  const response = await fetch(`${url}${path}`, { ...init, signal: AbortSignal.timeout(60_000) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return {
    status: response.status,
    headers: response.headers,
    body: parsed,
    ms: Date.now() - started,
  };
}

/** A 503 SERVICE_UNAVAILABLE problem with Retry-After, answered within `withinMs`. */
export function expectUnavailable(reply: Reply, withinMs: number): void {
  if (reply.status !== 503) {
    throw new Error(`expected 503, got ${reply.status}: ${JSON.stringify(reply.body)}`);
  }
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(reply.body).toMatchObject({
    status: 503,
    code: 'SERVICE_UNAVAILABLE',
    title: 'Service Unavailable',
    type: '/problems/service-unavailable',
  });
  expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(reply.ms).toBeLessThan(withinMs);
  expect(JSON.stringify(reply.body)).not.toMatch(/ECONN|PROTOCOL_|SQLITE_|stack|at \w+ \(/);
}

/** Repeats `attempt` until it answers 2xx, for at most `timeoutMs`. */
export async function untilOk(attempt: () => Promise<Reply>, timeoutMs: number): Promise<Reply> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reply = await attempt().catch(() => undefined);
    if (reply && reply.status < 300) return reply;
    if (Date.now() > deadline) {
      throw new Error(`still failing after ${timeoutMs} ms: ${JSON.stringify(reply?.body)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
