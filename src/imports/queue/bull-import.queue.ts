import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import {
  IMPORT_JOB_ATTEMPTS,
  IMPORT_QUEUE,
  ImportJobData,
  ImportQueue,
  ImportQueueCounts,
  PROCESS_IMPORT_JOB,
} from './import-queue';

@Injectable()
export class BullImportQueue extends ImportQueue {
  constructor(@InjectQueue(IMPORT_QUEUE) private readonly queue: Queue<ImportJobData>) {
    super();
  }

  async enqueue(job: ImportJobData): Promise<void> {
    await this.queue.add(PROCESS_IMPORT_JOB, job, {
      jobId: job.importId,
      attempts: IMPORT_JOB_ATTEMPTS,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: true,
      removeOnFail: 1000,
    });
  }

  async counts(): Promise<ImportQueueCounts> {
    const counts = await this.queue.getJobCounts();
    return { waiting: counts.waiting + counts.delayed, active: counts.active };
  }
}
