import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import Redis from 'ioredis';

@Injectable()
export class RedisHealthIndicator implements OnModuleDestroy {
  private readonly client: Redis;

  constructor(
    redisUrl: string,
    private readonly indicators: HealthIndicatorService,
  ) {
    this.client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    // A Redis that is away is reported by check(), not as an unhandled error event per retry.
    this.client.on('error', () => undefined);
  }

  check(key: string) {
    return this.indicators
      .check(key)
      .attempt(async () => {
        await this.client.ping();
      })
      .withTimeout(2000);
  }

  async onModuleDestroy() {
    this.client.disconnect();
  }
}
