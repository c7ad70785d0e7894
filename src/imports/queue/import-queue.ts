/** Bull queue carrying CSV imports. */
export const IMPORT_QUEUE = 'contact-imports';
/** The one job kind on it, handled by ImportProcessor.process. */
export const PROCESS_IMPORT_JOB = 'process-import';
/** The span each attempt at an import job runs in, linked to the upload's trace. */
export const IMPORT_JOB_SPAN = 'import.process';

export interface ImportJobData {
  tenantId: string;
  importId: string;
  /** The upload's trace context (W3C headers), for the job span's link; see src/tracing. */
  trace?: Record<string, string>;
}

/** Jobs waiting (including retries in backoff) and running, for the metrics. */
export interface ImportQueueCounts {
  waiting: number;
  active: number;
}

/**
 * Attempts before an import is marked failed. Retries resume after the last committed batch, so
 * they are safe; a worker stopping gracefully also spends one, hence the headroom.
 */
export const IMPORT_JOB_ATTEMPTS = 10;

/** Hands stored imports to a worker: Bull on Redis, or in-process without REDIS_URL. */
export abstract class ImportQueue {
  abstract enqueue(job: ImportJobData): Promise<void>;
  abstract counts(): Promise<ImportQueueCounts>;
}
