import { Injectable } from '@nestjs/common';
import { ImportsRepository } from './imports.repository';
import type { ImportJobData } from './queue/import-queue';

/** Marks an import failed once its job has no attempt left. */
@Injectable()
export class ImportFailureRecorder {
  constructor(private readonly imports: ImportsRepository) {}

  async record(job: ImportJobData, error: Error): Promise<void> {
    await this.imports.setStatus(job.tenantId, job.importId, 'failed', {
      // Only our own file errors are worth showing; anything else may carry internals.
      failureReason:
        error.name === 'ImportFileUnreadable'
          ? `The file could not be read: ${error.message}`.slice(0, 500)
          : 'The import stopped on an internal error after several attempts.',
      completedAt: new Date(),
    });
  }
}
