import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Role, Scope } from '../auth/access-policy';
import type { Principal as Caller } from '../auth/access-policy';
import { Authenticated } from '../auth/authenticated.decorator';
import { Principal } from '../auth/principal.decorator';
import { ApiProblem } from '../common/problem/api-problem.decorator';
import { CreatedWebhookDto, CreateWebhookDto, WebhookListDto } from './dto/webhook.dto';
import { mapWebhook } from './webhook.mapper';
import { WebhooksService } from './webhooks.service';

const MANAGERS = [Role.Owner, Role.Admin];

@ApiTags('Webhooks')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @Authenticated({ scope: Scope.WebhookManage, roles: MANAGERS })
  @ApiOperation({
    summary: 'Create webhook',
    description:
      'Subscribes a URL to contact events created from now on. Each event is POSTed as JSON with Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`), signed with the returned secret, which is shown only here. Non-2xx answers are retried with backoff for 24 hours.',
  })
  @ApiProblem(422, 'Invalid URL (in production: not https, or a non-public host) or event types')
  @ApiCreatedResponse({ type: CreatedWebhookDto, description: 'Webhook created' })
  async create(
    @Principal() caller: Caller,
    @Body() body: CreateWebhookDto,
  ): Promise<CreatedWebhookDto> {
    const webhook = await this.webhooks.create(caller.tenantId, body.url, body.events);
    return { ...mapWebhook(webhook), secret: webhook.secret };
  }

  @Get()
  @Authenticated({ scope: Scope.WebhookManage, roles: MANAGERS })
  @ApiOperation({ summary: 'List webhooks', description: 'The subscriptions, without secrets.' })
  @ApiOkResponse({ type: WebhookListDto, description: 'List of webhooks' })
  async list(@Principal() caller: Caller): Promise<WebhookListDto> {
    return { webhooks: (await this.webhooks.list(caller.tenantId)).map(mapWebhook) };
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated({ scope: Scope.WebhookManage, roles: MANAGERS })
  @ApiOperation({
    summary: 'Delete webhook',
    description: 'Deletes the subscription: it receives nothing more.',
  })
  @ApiProblem(404, 'Webhook not found')
  @ApiNoContentResponse({ description: 'Webhook deleted' })
  async delete(@Principal() caller: Caller, @Param('id') id: string): Promise<void> {
    await this.webhooks.delete(caller.tenantId, id);
  }
}
