import type { NextFunction, Request, Response } from 'express';
import { Histogram, Registry } from 'prom-client';

/** Seconds: from a fast read (~1 ms) to a slow upload. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Times every request by route template (`/v1/contacts/:id`, as Express matched it; Nest mounts every route on the app's router), method and
 * status. Never the raw path: a request no route matched counts as `unmatched`.
 */
export function httpMetricsMiddleware(registry: Registry) {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route template, method and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: BUCKETS,
    registers: [registry],
  });
  return (request: Request, response: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    response.once('finish', () => {
      const route = (request.route as { path?: unknown } | undefined)?.path;
      duration.observe(
        {
          method: request.method,
          route: typeof route === 'string' ? route : 'unmatched',
          status_code: String(response.statusCode),
        },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    });
    next();
  };
}
