import { ApiProperty } from '@nestjs/swagger';
import { CONTACT_EVENT_TYPES } from '../contact-events';

export class ContactEventDto {
  @ApiProperty({ example: 'evt_01HV8Y9R3Q4J6A7M8N9P0Q2S4T' })
  id!: string;

  @ApiProperty({ enum: CONTACT_EVENT_TYPES, example: 'contact.updated' })
  type!: string;

  @ApiProperty({ example: 'con_01HV8Y5R5RFMS0TFK6PKF9H2S8' })
  contactId!: string;

  /** When the change was made (the event's transaction). */
  @ApiProperty({ example: '2026-04-30T09:20:00.000Z' })
  occurredAt!: string;
}

export class ChangeFeedDto {
  /** The tenant's events after the cursor, in commit order. */
  events!: ContactEventDto[];

  /** Pass back as `after`. Never empty: after the last event it points at the head. */
  @ApiProperty({ example: 'eyJwIjoxMjN9.Zm9v' })
  nextCursor!: string;
}
