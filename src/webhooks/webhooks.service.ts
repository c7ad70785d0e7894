import { Injectable } from '@nestjs/common';
import { newUlid } from '../common/identifiers';
import { NotFoundProblem, ValidationProblem } from '../common/problem/problem.exception';
import { AppConfig } from '../config/app-config';
import { UnitOfWork } from '../database/unit-of-work';
import { CONTACT_EVENT_TYPES } from '../events/contact-events';
import { WebhookEntity } from './webhook.entity';
import { newWebhookSecret } from './webhook-signature';
import { webhookUrlProblem } from './webhook-url';
import { WebhooksRepository } from './webhooks.repository';

export class WebhookNotFound extends NotFoundProblem {
  constructor(id: string) {
    super('WEBHOOK_NOT_FOUND', `Webhook ${id} was not found.`);
  }
}

@Injectable()
export class WebhooksService {
  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly config: AppConfig,
  ) {}

  async create(tenantId: string, url: string, events?: string[]): Promise<WebhookEntity> {
    const problem = await webhookUrlProblem(url, this.config.isProduction);
    if (problem) throw new ValidationProblem([{ field: 'url', message: problem }]);
    // Stored in the canonical order, framed by commas for the fan-out's LIKE.
    const types = CONTACT_EVENT_TYPES.filter((type) => !events || events.includes(type));
    const webhook = Object.assign(new WebhookEntity(), {
      tenantId,
      id: `wh_${newUlid()}`,
      url,
      events: `,${types.join(',')},`,
      secret: newWebhookSecret(),
      createdAt: new Date(),
    });
    await this.webhooks.insert(webhook);
    return webhook;
  }

  list(tenantId: string): Promise<WebhookEntity[]> {
    return this.webhooks.list(tenantId);
  }

  async delete(tenantId: string, id: string): Promise<void> {
    const deleted = await this.unitOfWork.run((manager) =>
      this.webhooks.delete(tenantId, id, manager),
    );
    if (!deleted) throw new WebhookNotFound(id);
  }
}
