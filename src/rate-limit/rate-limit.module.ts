import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule, ThrottlerOptions } from '@nestjs/throttler';
import { AppConfig } from '../config/app-config';
import { DEFAULT_BUDGET, RateLimitGuard, SEARCH_BUDGET_NAME } from './rate-limit.guard';
import { MemoryWindowStorage, RedisWindowStorage } from './window-storage';

const MINUTE_MS = 60_000;

/**
 * Per-tenant rate limits. Import after AuthModule: global guards run in registration order, and
 * the budget is keyed by the authenticated tenant. RATE_LIMIT_PER_MINUTE=0 turns it all off.
 */
@Module({})
export class RateLimitModule {
  static forRoot(config: AppConfig): DynamicModule {
    const { perMinute, searchPerMinute } = config.rateLimit;
    if (perMinute === 0) return { module: RateLimitModule };
    const throttlers: ThrottlerOptions[] = [
      { name: DEFAULT_BUDGET, limit: perMinute, ttl: MINUTE_MS },
    ];
    if (searchPerMinute > 0) {
      throttlers.push({ name: SEARCH_BUDGET_NAME, limit: searchPerMinute, ttl: MINUTE_MS });
    }
    return {
      module: RateLimitModule,
      imports: [
        ThrottlerModule.forRoot({
          throttlers,
          storage: config.redisUrl
            ? new RedisWindowStorage(config.redisUrl)
            : new MemoryWindowStorage(),
        }),
      ],
      providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }],
    };
  }
}
