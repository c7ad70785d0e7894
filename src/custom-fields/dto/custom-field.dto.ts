import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, ValidateIf } from 'class-validator';
import { CharLength } from '../../common/validation/char-length';
import { Trim } from '../../common/dto-transforms';
import { FIELD_TYPES, type FieldType } from '../custom-field.entity';

export class CreateCustomFieldDto {
  /** Human-readable label for the field, unique per entity type (case-insensitively). */
  @ApiProperty({ example: 'Lifecycle stage', minLength: 1, maxLength: 100 })
  @Trim()
  @IsString()
  @CharLength(1, 100)
  name!: string;

  /** Value type accepted by the field. */
  @ApiProperty({ enum: FIELD_TYPES, example: 'text' })
  @IsIn(FIELD_TYPES)
  type!: FieldType;
}

export class UpdateCustomFieldDto {
  /** New label. The id and key never change. */
  @ApiPropertyOptional({ example: 'Region', minLength: 1, maxLength: 100 })
  // Omitted means unchanged; null is not a name or a type.
  @ValidateIf((_dto, value) => value !== undefined)
  @Trim()
  @IsString()
  @CharLength(1, 100)
  name?: string;

  /** New value type; text → date is refused while values that are not dates exist. */
  @ApiPropertyOptional({ enum: FIELD_TYPES, example: 'text' })
  // Omitted means unchanged; null is not a name or a type.
  @ValidateIf((_dto, value) => value !== undefined)
  @IsIn(FIELD_TYPES)
  type?: FieldType;
}

export class CustomFieldDto {
  @ApiProperty({ example: 'cf_lifecycle_stage' })
  id!: string;

  /** How contacts name the field in `customFields`. */
  @ApiProperty({ example: 'lifecycleStage' })
  key!: string;

  @ApiProperty({ example: 'Lifecycle stage' })
  name!: string;

  @ApiProperty({ enum: FIELD_TYPES, example: 'text' })
  type!: FieldType;

  @ApiProperty({ example: '2026-04-30T09:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: 'usr_01HV8Y3K2R6G7K3F5B9N8M1Q0' })
  createdBy!: string;

  /** Predefined fields (cf_email, cf_phone) exist in every workspace and cannot change. */
  @ApiProperty({ example: false })
  predefined!: boolean;

  @ApiProperty({ enum: ['contact', 'property'], example: 'contact' })
  entityType!: string;
}

export class CustomFieldListDto {
  customFields!: CustomFieldDto[];
}
