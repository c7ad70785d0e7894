/**
 * Imported first by main.ts: instrumentation must patch http, express, mysql2 and ioredis before
 * anything requires them. Without OTEL_EXPORTER_OTLP_ENDPOINT no OpenTelemetry module is loaded.
 */
if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()) {
  // A synchronous require on purpose: an import() would resolve after main.ts's other imports.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./otel-sdk') as typeof import('./otel-sdk')).startTracing();
}
