import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ImportsRepository } from './imports.repository';

/** No upload takes this long; an older one in `uploading` lost its API process. */
const ABANDONED_AFTER_MS = 6 * 3600_000;

/** At worker start, deletes uploads (and their stored chunks) that a crash left half-written. */
@Injectable()
export class AbandonedUploadSweeper implements OnApplicationBootstrap {
  private readonly logger = new Logger(AbandonedUploadSweeper.name);

  constructor(
    private readonly imports: ImportsRepository,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.runsWorker) return;
    const deleted = await this.imports.deleteAbandonedUploads(
      new Date(Date.now() - ABANDONED_AFTER_MS),
    );
    if (deleted > 0) this.logger.warn({ message: 'deleted abandoned uploads', count: deleted });
  }
}
