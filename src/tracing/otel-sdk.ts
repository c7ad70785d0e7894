import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { MySQL2Instrumentation } from '@opentelemetry/instrumentation-mysql2';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { TraceCarrier, useJobTracer } from './job-tracing';

/** Probes and scrapes every few seconds would drown the traces worth reading. */
const UNTRACED = /^\/(health|metrics)(\/|\?|$)/;

/**
 * Starts the OpenTelemetry SDK: traces only, exported over OTLP/HTTP to
 * OTEL_EXPORTER_OTLP_ENDPOINT (the exporter and the SDK read the standard OTEL_* variables).
 * Loaded by register.ts only when that variable is set.
 */
export function startTracing(): void {
  const sdk = new NodeSDK({
    // OTEL_SERVICE_NAME, when set, names the service through the SDK's resource detection.
    serviceName: process.env.OTEL_SERVICE_NAME ? undefined : 'contacts-api',
    traceExporter: new OTLPTraceExporter(),
    // Metrics are Prometheus' (/metrics) and logs go to stdout: no OTLP export of either.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED.test(request.url ?? ''),
      }),
      new ExpressInstrumentation(),
      new MySQL2Instrumentation(),
      // Bull polls Redis all the time: only commands made inside a traced operation.
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();

  const tracer = trace.getTracer('contacts-api');
  useJobTracer({
    carrier() {
      const carrier: TraceCarrier = {};
      propagation.inject(context.active(), carrier);
      return carrier.traceparent ? carrier : undefined;
    },
    run(name, carrier, attributes, work) {
      const linked = carrier
        ? trace.getSpanContext(propagation.extract(ROOT_CONTEXT, carrier))
        : undefined;
      // A trace of its own (a job outlives its upload's request), linked to the upload's.
      return tracer.startActiveSpan(
        name,
        { kind: SpanKind.CONSUMER, attributes, links: linked ? [{ context: linked }] : [] },
        ROOT_CONTEXT,
        async (span) => {
          try {
            return await work();
          } catch (error) {
            span.recordException(error as Error);
            span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
            throw error;
          } finally {
            span.end();
          }
        },
      );
    },
    shutdown: () => sdk.shutdown(),
  });
}
