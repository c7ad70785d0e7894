import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { ImportsRepository } from '../imports.repository';
import { ImportJobData, ImportQueue, QueueUnavailable } from './import-queue';

/** Imports handed to the queue per sweep. */
const SWEEP_BATCH = 100;

/**
 * Puts stored imports on the queue, exactly once each. An import is stored with
 * `dispatched_at` null and marked once its job is on the queue; when Redis is away the upload
 * answers anyway and a periodic sweep (every IMPORT_DISPATCH_SWEEP_MS, in every process with
 * Redis) dispatches what is still unmarked, as soon as Redis is back. A repeated dispatch is the
 * same Bull job (its id is the import's), and the runner resumes after the last committed
 * batch, so a dispatch made twice still runs the import once.
 */
@Injectable()
export class ImportDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ImportDispatcher.name);
  private timer?: NodeJS.Timeout;
  private sweeping = false;

  constructor(
    private readonly queue: ImportQueue,
    private readonly imports: ImportsRepository,
    private readonly config: AppConfig,
  ) {}

  /** Dispatches now if the queue takes the job at once; never throws, never waits for Redis. */
  async dispatch(job: ImportJobData): Promise<boolean> {
    try {
      await this.queue.enqueue(job);
    } catch (error) {
      if (!(error instanceof QueueUnavailable)) {
        this.logger.warn({ message: 'import dispatch failed', importId: job.importId, error });
      }
      return false;
    }
    try {
      await this.imports.markDispatched(job.tenantId, job.importId, job.dispatchSeq ?? 0);
    } catch {
      // Left unmarked: the sweep dispatches it again, which is the same job.
    }
    return true;
  }

  /** A stopping worker gives the import back: the sweep puts it on the queue as a new job. */
  async handBack(job: ImportJobData): Promise<void> {
    await this.imports.releaseDispatch(job.tenantId, job.importId);
    this.logger.log({ message: 'import handed back', importId: job.importId });
  }

  onApplicationBootstrap(): void {
    // Without Redis the in-process queue picks unfinished imports up at start instead.
    if (!this.config.redisUrl) return;
    this.timer = setInterval(() => void this.sweep(), this.config.importDispatchSweepMs);
    this.timer.unref();
    void this.sweep();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      for (const entity of await this.imports.findUndispatched(SWEEP_BATCH)) {
        const job = { tenantId: entity.tenantId, importId: entity.id };
        if (!(await this.dispatch({ ...job, dispatchSeq: entity.dispatchSeq }))) break;
        this.logger.log({ message: 'import dispatched by sweep', importId: entity.id });
      }
    } catch {
      // The database is away too: the next sweep tries again.
    } finally {
      this.sweeping = false;
    }
  }
}
