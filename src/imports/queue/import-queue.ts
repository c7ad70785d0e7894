/** Bull queue carrying CSV imports. */
export const IMPORT_QUEUE = 'contact-imports';
/** The one job kind on it, handled by ImportProcessor.process. */
export const PROCESS_IMPORT_JOB = 'process-import';

export interface ImportJobData {
  tenantId: string;
  importId: string;
  /** Hand-backs before this dispatch (ImportDispatcher): 0 for the upload's own. */
  dispatchSeq?: number;
}

/** Bull job id of a dispatch: the import id, so a repeated dispatch is the same job. */
export function importJobId(job: ImportJobData): string {
  return job.dispatchSeq ? `${job.importId}.${job.dispatchSeq}` : job.importId;
}

/** The queue could not take the job now (Redis unreachable): a later sweep dispatches it. */
export class QueueUnavailable extends Error {
  constructor() {
    super('the import queue is unreachable');
  }
}

/**
 * Attempts before an import is marked failed. Retries resume after the last committed batch, so
 * they are safe. A worker stopping gracefully spends none: it hands the import back instead.
 */
export const IMPORT_JOB_ATTEMPTS = 10;

/** Hands stored imports to a worker: Bull on Redis, or in-process without REDIS_URL. */
export abstract class ImportQueue {
  /** Puts the job on the queue, or throws QueueUnavailable without waiting for Redis. */
  abstract enqueue(job: ImportJobData): Promise<void>;
}
