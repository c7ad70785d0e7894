import { Logger, OnModuleDestroy } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import Redis from 'ioredis';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * Fixed windows aligned on the clock (so replicas agree on them): a counter per key and window.
 * Over the limit means blocked until the window ends; no extra penalty.
 */
function windowOf(ttl: number, now = Date.now()) {
  const index = Math.floor(now / ttl);
  return { index, msLeft: (index + 1) * ttl - now };
}

function record(hits: number, limit: number, msLeft: number): ThrottlerStorageRecord {
  const seconds = Math.max(1, Math.ceil(msLeft / 1000));
  const isBlocked = hits > limit;
  return {
    totalHits: hits,
    timeToExpire: seconds,
    isBlocked,
    timeToBlockExpire: isBlocked ? seconds : 0,
  };
}

/** One process's counters, for the embedded setup without Redis. */
export class MemoryWindowStorage implements ThrottlerStorage {
  private readonly counters = new Map<string, { index: number; hits: number }>();
  private lastSweep = 0;

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const { index, msLeft } = windowOf(ttl);
    if (index !== this.lastSweep) this.sweep(index);
    const counter = this.counters.get(key);
    const hits = counter && counter.index === index ? counter.hits + 1 : 1;
    this.counters.set(key, { index, hits });
    return record(hits, limit, msLeft);
  }

  /** Drops the counters of past windows, so idle tenants cost nothing. */
  private sweep(index: number): void {
    this.lastSweep = index;
    for (const [key, counter] of this.counters)
      if (counter.index < index) this.counters.delete(key);
  }
}

const INCREMENT = `local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return hits`;

/**
 * Counters in Redis, shared by every replica. A Redis that does not answer within
 * `commandTimeout` lets the request through (logged): rate limiting never fails a request.
 */
export class RedisWindowStorage implements ThrottlerStorage, OnModuleDestroy {
  private readonly logger = new Logger('RateLimit');
  private readonly client: Redis;

  constructor(redisUrl: string) {
    this.client = new Redis(redisUrl, {
      lazyConnect: true,
      enableOfflineQueue: true,
      maxRetriesPerRequest: 1,
      commandTimeout: 1000,
    });
  }

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const { index, msLeft } = windowOf(ttl);
    try {
      const hits = (await this.client.eval(
        INCREMENT,
        1,
        `ratelimit:${key}:${index}`,
        ttl,
      )) as number;
      return record(hits, limit, msLeft);
    } catch (error) {
      this.logger.warn({
        message: 'rate limit counter unavailable',
        error: (error as Error).message,
      });
      return record(0, limit, msLeft);
    }
  }

  onModuleDestroy(): void {
    this.client.disconnect();
  }
}
