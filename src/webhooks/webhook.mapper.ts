import { WebhookDto } from './dto/webhook.dto';
import { eventTypesOf, WebhookEntity } from './webhook.entity';

export function mapWebhook(webhook: WebhookEntity): WebhookDto {
  return {
    id: webhook.id,
    url: webhook.url,
    events: eventTypesOf(webhook),
    createdAt: webhook.createdAt.toISOString(),
  };
}
