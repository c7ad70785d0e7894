import { Module } from '@nestjs/common';
import { HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { AppConfig } from '../config/app-config';
import { HealthController } from './health.controller';
import { RedisHealthIndicator } from './redis.health';

@Module({
  imports: [TerminusModule],
  controllers: [HealthController],
  providers: [
    {
      provide: RedisHealthIndicator,
      inject: [AppConfig, HealthIndicatorService],
      useFactory: (config: AppConfig, indicators: HealthIndicatorService) =>
        config.redisUrl ? new RedisHealthIndicator(config.redisUrl, indicators) : undefined,
    },
  ],
})
export class HealthModule {}
