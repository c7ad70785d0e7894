import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { UnitOfWork } from '../database/unit-of-work';
import { IdempotencyRepository } from './idempotency.repository';

/** Keys deleted per statement: short statements, short locks. */
const BATCH = 500;
const INTERVAL_MS = 10 * 60_000;

/**
 * Deletes expired keys in batches, tenant by tenant along the (tenant_id, expires_at) index.
 * Expired keys are ignored anyway (a retry runs afresh); this only reclaims their space.
 */
@Injectable()
export class IdempotencySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencySweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly keys: IdempotencyRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.runsApi) return;
    const interval = Math.min(INTERVAL_MS, this.config.idempotencyTtlSeconds * 1000);
    this.timer = setInterval(() => void this.sweep(), interval);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  sweep(): Promise<void> {
    this.running ??= this.sweepAll()
      .catch((error: Error) => this.logger.warn({ message: 'sweep failed', error: error.message }))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepAll(): Promise<void> {
    const now = new Date();
    let deleted = 0;
    for (const tenantId of await this.unitOfWork.outside(() => this.keys.tenants())) {
      for (;;) {
        const count = await this.unitOfWork.outside(() =>
          this.keys.deleteExpired(tenantId, now, BATCH),
        );
        deleted += count;
        if (count < BATCH) break;
      }
    }
    if (deleted > 0) this.logger.log({ message: 'expired idempotency keys deleted', deleted });
  }
}
