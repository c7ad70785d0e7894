import { Controller, Get, Optional, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../auth/authenticated.decorator';
import { RedisHealthIndicator } from './redis.health';
import { ServiceUnavailableProblem } from '../resilience/service-unavailable.problem';

/** Terminus's failure, as a problem naming the dependencies that are down. */
function notReady(error: unknown): unknown {
  if (!(error instanceof ServiceUnavailableException)) return error;
  const body = error.getResponse() as {
    error?: object;
    details?: Record<string, { status: string }>;
  };
  const down = Object.keys(body.error ?? {});
  const names = down.map((key) =>
    key === 'database' ? 'the database' : key === 'redis' ? 'Redis' : key,
  );
  return new ServiceUnavailableProblem(
    `Not ready: ${names.join(' and ') || 'a dependency'} ${down.length > 1 ? 'are' : 'is'} unreachable.`,
    {
      dependencies: down,
      // Status only: the indicators' messages may name hosts and ports.
      checks: Object.fromEntries(
        Object.entries(body.details ?? {}).map(([key, value]) => [key, value.status]),
      ),
    },
  );
}

@ApiExcludeController()
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    @Optional() private readonly redis?: RedisHealthIndicator,
  ) {}

  /** Liveness: the process answers. */
  @Get()
  live() {
    return { status: 'ok' };
  }

  /** Readiness: the database answers, and Redis when the queue uses it. */
  @Get('ready')
  @HealthCheck()
  async ready() {
    try {
      return await this.health.check([
        () => this.database.pingCheck('database').withTimeout(2000),
        ...(this.redis ? [() => this.redis!.check('redis')] : []),
      ]);
    } catch (error) {
      throw notReady(error);
    }
  }
}
