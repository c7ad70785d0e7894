import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import {
  IMPORT_JOB_ATTEMPTS,
  IMPORT_QUEUE,
  ImportJobData,
  importJobId,
  ImportQueue,
  PROCESS_IMPORT_JOB,
  QueueUnavailable,
} from './import-queue';

/** Longest an upload waits for Redis to take its job. */
const ADD_WAIT_MS = 1000;

@Injectable()
export class BullImportQueue extends ImportQueue {
  constructor(@InjectQueue(IMPORT_QUEUE) private readonly queue: Queue<ImportJobData>) {
    super();
  }

  async enqueue(job: ImportJobData): Promise<void> {
    // Bull's client keeps commands for a Redis that is away and sends them once it is back;
    // an upload must not wait for that (CONTRACT section 9): the dispatch sweep retries.
    if (this.queue.client.status !== 'ready') throw new QueueUnavailable();
    const added = this.queue.add(PROCESS_IMPORT_JOB, job, {
      jobId: importJobId(job),
      attempts: IMPORT_JOB_ATTEMPTS,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: true,
      removeOnFail: 1000,
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new QueueUnavailable()), ADD_WAIT_MS);
    });
    try {
      await Promise.race([added, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
