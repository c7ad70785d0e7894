import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CustomFieldsModule } from '../custom-fields/custom-fields.module';
import { TagsModule } from '../tags/tags.module';
import { ContactEntity, ContactIdentityEntity } from './contact.entity';
import { ContactsController } from './contacts.controller';
import { ContactsRepository } from './contacts.repository';
import { ContactListReader } from './contact-list-reader';
import { ContactsService } from './contacts.service';
import { PageTokenCodec } from './page-token';
import { ContactInputRules } from './contact-input-rules';
import { ContactSearchModule } from './search/contact-search.module';

@Module({
  imports: [
    TypeOrmModule.forFeature([ContactEntity, ContactIdentityEntity]),
    TagsModule,
    CustomFieldsModule,
    ContactSearchModule,
  ],
  controllers: [ContactsController],
  providers: [
    ContactsRepository,
    ContactListReader,
    ContactsService,
    PageTokenCodec,
    ContactInputRules,
  ],
  exports: [ContactsRepository, ContactsService, ContactSearchModule],
})
export class ContactsModule {}
