import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import { CharLength } from '../../common/validation/char-length';
import { Trim } from '../../common/dto-transforms';

export class CreateTagDto {
  /** Tag name, unique in the workspace (case-insensitively). Surrounding spaces are trimmed. */
  @ApiProperty({ example: 'VIP', minLength: 1, maxLength: 64 })
  @Trim()
  @IsString()
  @CharLength(1, 64)
  name!: string;
}

export class TagDto {
  @ApiProperty({ example: 'tag_01HV8Y9R3Q4J6A7M8N9P0Q2S4' })
  id!: string;

  @ApiProperty({ example: 'order_ready' })
  name!: string;

  @ApiProperty({ example: '2026-04-27T00:00:00.000Z' })
  createdAt!: string;

  /** User id (`sub`) of the creator. */
  @ApiProperty({ example: 'usr_01HV8Y3K2R6G7K3F5B9N8M1Q0' })
  createdBy!: string;

  /** Live contacts (archived included) carrying the tag. */
  @ApiProperty({ example: 0 })
  labeledCount!: number;
}

export class TagListDto {
  tags!: TagDto[];
}
