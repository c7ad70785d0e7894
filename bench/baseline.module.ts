import { Controller, Get, Module } from '@nestjs/common';
import { Scope } from '../src/auth/access-policy';
import { Authenticated } from '../src/auth/authenticated.decorator';
import type { ContactDto } from '../src/contacts/dto/contact.dto';

const FIXED_CONTACT: ContactDto = {
  id: 'con_01HV8Y5R5RFMS0TFK6PKF9H2S8',
  tenantId: 'tn_bench_a',
  name: 'Anna Kowalska',
  createdAt: '2026-04-30T09:20:00.000Z',
  updatedAt: '2026-04-30T10:10:00.000Z',
  identities: [
    {
      id: 'idn_01HV8Y7YF5J4Y7M9M7T3H3X2A1',
      channel: 'whatsapp',
      metadata: { phoneNumber: '+48123456789' },
    },
  ],
  tagIds: ['tag_01HV8Y9R3Q4J6A7M8N9P0Q2S4'],
  customFields: { lifecycleStage: 'customer', preferredStore: 'Krakow', email: 'anna@example.com' },
  archivedAt: null,
};

/** The framework ceiling: same app, same auth guard and filters, no database. */
@Controller('bench')
class BaselineController {
  @Get('contact')
  @Authenticated({ scope: Scope.ContactRead })
  contact(): ContactDto {
    return FIXED_CONTACT;
  }
}

@Module({ controllers: [BaselineController] })
export class BaselineModule {}
