import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CustomFieldEntity } from './custom-field.entity';
import {
  ContactCustomFieldsController,
  PropertyCustomFieldsController,
} from './custom-fields.controller';
import { CustomFieldsRepository } from './custom-fields.repository';
import { CustomFieldsService } from './custom-fields.service';
import { FieldValuesRepository } from './field-values.repository';

@Module({
  imports: [TypeOrmModule.forFeature([CustomFieldEntity])],
  controllers: [ContactCustomFieldsController, PropertyCustomFieldsController],
  providers: [CustomFieldsRepository, FieldValuesRepository, CustomFieldsService],
  exports: [CustomFieldsService, FieldValuesRepository],
})
export class CustomFieldsModule {}
