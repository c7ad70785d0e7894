/**
 * What features call to trace background jobs. Without tracing (no OTLP endpoint) these are
 * plain pass-throughs and nothing of OpenTelemetry is loaded.
 */
export type TraceCarrier = Record<string, string>;

export interface JobTracer {
  /** The current trace context as W3C headers (traceparent, tracestate), to carry in job data. */
  carrier(): TraceCarrier | undefined;
  /** Runs a job in a span of its own trace, linked to the trace the carrier came from. */
  run<T>(
    name: string,
    carrier: TraceCarrier | undefined,
    attributes: Record<string, string>,
    work: () => Promise<T>,
  ): Promise<T>;
  shutdown(): Promise<void>;
}

let tracer: JobTracer | undefined;

/** Called once by otel-sdk.ts when tracing starts. */
export function useJobTracer(active: JobTracer): void {
  tracer = active;
}

export function currentTraceCarrier(): TraceCarrier | undefined {
  return tracer?.carrier();
}

export function inJobSpan<T>(
  name: string,
  carrier: TraceCarrier | undefined,
  attributes: Record<string, string>,
  work: () => Promise<T>,
): Promise<T> {
  return tracer ? tracer.run(name, carrier, attributes, work) : work();
}

/** Flushes the spans still buffered (at shutdown). */
export async function shutdownTracing(): Promise<void> {
  await tracer?.shutdown();
}
