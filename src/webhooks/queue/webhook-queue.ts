/** Bull queue carrying webhook delivery attempts. */
export const WEBHOOK_QUEUE = 'webhook-deliveries';
/** The one job kind on it, handled by WebhookProcessor.deliver. */
export const DELIVER_WEBHOOK_JOB = 'deliver-webhook';
/** Deliveries a worker process sends at the same time. */
export const WEBHOOK_CONCURRENCY = 16;

/**
 * One attempt at one `webhook_deliveries` row. The row is the durable truth; a job only says
 * "try this row now": the handler re-reads it and does nothing unless the row still has
 * `attempts`, heads its lane and is not leased.
 */
export interface WebhookJob {
  tenantId: string;
  webhookId: string;
  eventSeq: number;
  attempts: number;
  /** Enqueued by the completion of the lane's previous delivery (its own job id). */
  afterPrevious?: boolean;
}

/** A job to put on the queue, now or after a delay (a retry). */
export interface QueuedWebhookJob {
  job: WebhookJob;
  delayMs?: number;
}

/**
 * Deterministic: the fan-out, a retry and the sweep name the same attempt the same way, so a
 * job still waiting or delayed in the queue is not added twice. A lane's next delivery enqueued
 * by its predecessor's completion gets an id of its own: the fan-out's job for it may still be
 * finishing (it found a predecessor and did nothing), and an add under its id would be dropped.
 */
export function webhookJobId(job: WebhookJob): string {
  const id = `${job.webhookId}.${job.eventSeq}.${job.attempts}`;
  return job.afterPrevious ? `${id}.next` : id;
}

/** The queue could not take the job now (Redis unreachable): the sweep enqueues it later. */
export class WebhookQueueUnavailable extends Error {
  constructor() {
    super('the webhook queue is unreachable');
  }
}

/** Hands delivery attempts to a worker: Bull on Redis, or in-process without REDIS_URL. */
export abstract class WebhookQueue {
  /** Puts the job on the queue (no-op if one with its id waits), or throws without waiting. */
  abstract enqueue(queued: QueuedWebhookJob): Promise<void>;
}
