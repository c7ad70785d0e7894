import { BullModule } from '@nestjs/bull';
import { DynamicModule, Module, Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { BullWebhookQueue } from './queue/bull-webhook.queue';
import { InProcessWebhookQueue } from './queue/in-process-webhook.queue';
import { WEBHOOK_QUEUE, WebhookQueue } from './queue/webhook-queue';
import { WebhookProcessor } from './queue/webhook.processor';
import { WebhookDeliverer } from './webhook-deliverer';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookEntity } from './webhook.entity';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

/**
 * Webhook subscriptions and their delivery from the outbox (worker processes). With REDIS_URL
 * delivery attempts are Bull jobs any worker may run (BullModule.forRoot is in ImportsModule);
 * without it an in-process queue runs the same WebhookDeliverer.
 */
@Module({})
export class WebhooksModule {
  static forRoot(config: AppConfig): DynamicModule {
    const providers: Provider[] = [
      WebhooksRepository,
      WebhooksService,
      WebhookDeliverer,
      WebhookDispatcher,
    ];
    const imports = [TypeOrmModule.forFeature([WebhookEntity, WebhookDeliveryEntity])];
    if (!config.redisUrl) {
      return {
        module: WebhooksModule,
        imports,
        controllers: [WebhooksController],
        providers: [
          ...providers,
          InProcessWebhookQueue,
          { provide: WebhookQueue, useExisting: InProcessWebhookQueue },
        ],
      };
    }
    return {
      module: WebhooksModule,
      imports: [...imports, BullModule.registerQueue({ name: WEBHOOK_QUEUE })],
      controllers: [WebhooksController],
      providers: [
        ...providers,
        { provide: WebhookQueue, useClass: BullWebhookQueue },
        ...(config.runsWorker ? [WebhookProcessor] : []),
      ],
    };
  }
}
