import { ApiProperty } from '@nestjs/swagger';
import {
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
} from 'class-validator';
import { CONTACT_EVENT_TYPES } from '../../events/contact-events';

export class CreateWebhookDto {
  /** Where events are POSTed: http or https (https only in production, public hosts only). */
  @ApiProperty({ example: 'https://example.com/hooks/contacts', maxLength: 2048 })
  @IsString()
  @MaxLength(2048)
  url!: string;

  /** Event types to receive; omitted means every type. */
  @ApiProperty({ enum: CONTACT_EVENT_TYPES, isArray: true, required: false })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(CONTACT_EVENT_TYPES, { each: true })
  events?: string[];
}

export class WebhookDto {
  @ApiProperty({ example: 'wh_01HV8Y9R3Q4J6A7M8N9P0Q2S4T' })
  id!: string;

  @ApiProperty({ example: 'https://example.com/hooks/contacts' })
  url!: string;

  @ApiProperty({ enum: CONTACT_EVENT_TYPES, isArray: true })
  events!: string[];

  @ApiProperty({ example: '2026-04-30T09:20:00.000Z' })
  createdAt!: string;
}

export class CreatedWebhookDto extends WebhookDto {
  /** Signing secret for the `webhook-signature` header. Shown only in this response. */
  @ApiProperty({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw2hYf1PxmNRQ=' })
  secret!: string;
}

export class WebhookListDto {
  webhooks!: WebhookDto[];
}
