import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AuthModule } from './auth/auth.module';
import { ProblemDetailsFilter } from './common/problem/problem-details.filter';
import { ProblemValidationPipe } from './common/validation/problem-validation.pipe';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { TagsModule } from './tags/tags.module';
import { CustomFieldsModule } from './custom-fields/custom-fields.module';
import { ContactsModule } from './contacts/contacts.module';
import { ImportsModule } from './imports/imports.module';
import { IdempotencyModule } from './idempotency/idempotency.module';
import { MetricsModule } from './metrics/metrics.module';
import { TracingModule } from './tracing/tracing.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { EventsModule } from './events/events.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  /** `extraModules`: for the benchmark's baseline route; the service itself adds none. */
  static forRoot(config: AppConfig, extraModules: Type[] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        MetricsModule.forRoot(config),
        TracingModule,
        DatabaseModule,
        AuthModule,
        // After AuthModule: its guard runs after the AccessGuard and sees the tenant.
        RateLimitModule.forRoot(config),
        HealthModule,
        TagsModule,
        // Before ContactsModule: /v1/contacts/custom-fields must not be taken for /v1/contacts/:id.
        CustomFieldsModule,
        ImportsModule.forRoot(config),
        // Before ContactsModule too: /v1/contacts/changes is the change feed, not a contact id.
        EventsModule,
        ContactsModule,
        IdempotencyModule,
        WebhooksModule.forRoot(config),
        ...extraModules,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useClass: ProblemValidationPipe },
      ],
    };
  }
}
