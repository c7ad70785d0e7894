import { OnQueueFailed, Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import type { Job } from 'bull';
import { ImportFailureRecorder } from '../import-failure.recorder';
import { ImportInterrupted, ImportRunner } from '../import-runner';
import { ImportDispatcher } from './import-dispatcher';
import { IMPORT_QUEUE, ImportJobData, PROCESS_IMPORT_JOB } from './import-queue';

/** The Bull worker: runs in processes with PROCESS_ROLE all or worker. */
@Processor(IMPORT_QUEUE)
export class ImportProcessor {
  private readonly logger = new Logger(ImportProcessor.name);

  constructor(
    private readonly runner: ImportRunner,
    private readonly failures: ImportFailureRecorder,
    private readonly dispatcher: ImportDispatcher,
  ) {}

  @Process(PROCESS_IMPORT_JOB)
  async process(job: Job<ImportJobData>): Promise<void> {
    try {
      await this.runner.run(job.data.tenantId, job.data.importId);
    } catch (error) {
      // A stopping worker's import goes back as a new job, so the stop spends no attempt.
      if (!(error instanceof ImportInterrupted && error.handBack)) throw error;
      await this.dispatcher.handBack(job.data);
    }
  }

  @OnQueueFailed()
  async failed(job: Job<ImportJobData>, error: Error): Promise<void> {
    const final = job.attemptsMade >= (job.opts.attempts ?? 1);
    this.logger.warn({
      message: 'import attempt failed',
      importId: job.data.importId,
      final,
      error: error.message,
    });
    if (final) await this.failures.record(job.data, error);
  }
}
