import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { KeepAsParsed } from '../../common/dto-transforms';
import { CHANNELS } from '../contact.entity';

export class CreateContactDto {
  @ApiPropertyOptional({ example: 'Anna Kowalska', maxLength: 255, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  name?: string | null;

  /** Phone number in E.164 format (e.g., +48123456789); spaces, dashes, dots and parentheses are ignored. */
  @ApiPropertyOptional({ example: '+48123456789', nullable: true })
  @IsOptional()
  @IsString()
  phone?: string | null;

  /** Values keyed by field key (or id); `""` or null leaves a field unset. */
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string', nullable: true },
    example: { lifecycleStage: 'lead', preferredStore: 'Krakow' },
  })
  @IsOptional()
  @IsObject()
  @KeepAsParsed()
  customFields?: Record<string, unknown>;
}

export class UpdateContactDto {
  /** New contact name, or null to clear it. Omit the field to leave the name unchanged. */
  @ApiPropertyOptional({ example: 'Anna Nowak', maxLength: 255, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  name?: string | null;
}

export class SetFieldValueDto {
  /** Field value for this contact; an empty string clears it. */
  @ApiProperty({ example: 'Krakow' })
  @IsString()
  value!: string;
}

export class IdentityMetadataDto {
  @ApiProperty({ example: '+48123456789' })
  phoneNumber!: string;
}

export class IdentityDto {
  @ApiProperty({ example: 'idn_01HV8Y7YF5J4Y7M9M7T3H3X2A1' })
  id!: string;

  @ApiProperty({ enum: CHANNELS, example: 'whatsapp' })
  channel!: string;

  metadata!: IdentityMetadataDto;
}

export class ContactDto {
  @ApiProperty({ example: 'con_01HV8Y5R5RFMS0TFK6PKF9H2S8' })
  id!: string;

  @ApiProperty({ example: 'tn_01HV8Y1N3QPY9X2HBQ1M9E8D0' })
  tenantId!: string;

  @ApiProperty({ example: 'Anna Kowalska', nullable: true, type: String })
  name!: string | null;

  @ApiProperty({ example: '2026-04-30T09:20:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: '2026-04-30T10:10:00.000Z' })
  updatedAt!: string;

  identities!: IdentityDto[];

  @ApiProperty({ example: ['tag_01HV8Y9R3Q4J6A7M8N9P0Q2S4'] })
  tagIds!: string[];

  /** Only the fields that have a value, keyed by field key. */
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { lifecycleStage: 'customer', preferredStore: 'Krakow' },
  })
  customFields!: Record<string, string>;

  @ApiProperty({ example: null, nullable: true, type: String })
  archivedAt!: string | null;
}

export class ContactListDto {
  contacts!: ContactDto[];

  /** Token for the next page; empty when this is the last page. */
  @ApiProperty({ example: 'eyJxIjoi…' })
  nextPageToken!: string;
}

export class ContactCountDto {
  @ApiProperty({ example: 0 })
  totalSize!: number;
}
