import {
  Injectable,
  Logger,
  OnApplicationBootstrap,
  BeforeApplicationShutdown,
} from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { ImportFailureRecorder } from '../import-failure.recorder';
import { ImportInterrupted, ImportRunner } from '../import-runner';
import { ImportsRepository } from '../imports.repository';
import { inJobSpan } from '../../tracing/job-tracing';
import {
  IMPORT_JOB_ATTEMPTS,
  IMPORT_JOB_SPAN,
  ImportJobData,
  ImportQueue,
  ImportQueueCounts,
} from './import-queue';

/**
 * The queue without Redis: the same runner, one import at a time, with the same retries.
 * Unfinished imports are picked up again when the process starts.
 */
@Injectable()
export class InProcessImportQueue
  extends ImportQueue
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(InProcessImportQueue.name);
  private tail: Promise<void> = Promise.resolve();
  private stopping = false;
  private readonly jobs: ImportQueueCounts = { waiting: 0, active: 0 };

  constructor(
    private readonly runner: ImportRunner,
    private readonly imports: ImportsRepository,
    private readonly failures: ImportFailureRecorder,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async enqueue(job: ImportJobData): Promise<void> {
    this.jobs.waiting++;
    this.tail = this.tail.then(async () => {
      this.jobs.waiting--;
      this.jobs.active++;
      await this.runWithRetries(job).finally(() => this.jobs.active--);
    });
  }

  async counts(): Promise<ImportQueueCounts> {
    return { ...this.jobs };
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.runsWorker) return;
    for (const entity of await this.imports.findUnfinished()) {
      await this.enqueue({ tenantId: entity.tenantId, importId: entity.id });
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.tail;
  }

  private async runWithRetries(job: ImportJobData): Promise<void> {
    for (let attempt = 1; !this.stopping; attempt++) {
      try {
        await inJobSpan(IMPORT_JOB_SPAN, job.trace, { 'contacts.import_id': job.importId }, () =>
          this.runner.run(job.tenantId, job.importId),
        );
        return;
      } catch (error) {
        if (error instanceof ImportInterrupted) return; // resumed at next start
        const final = attempt >= IMPORT_JOB_ATTEMPTS;
        this.logger.warn({
          message: 'import attempt failed',
          importId: job.importId,
          final,
          error: (error as Error).message,
        });
        if (final) {
          await this.failures.record(job, error as Error);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
      }
    }
  }
}
