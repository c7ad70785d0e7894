import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Type } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Scope } from '../auth/access-policy';
import type { Principal as Caller } from '../auth/access-policy';
import { Authenticated } from '../auth/authenticated.decorator';
import { Principal } from '../auth/principal.decorator';
import { ApiProblem } from '../common/problem/api-problem.decorator';
import { EntityType } from './custom-field.entity';
import { mapCustomField } from './custom-field.mapper';
import { CustomFieldsService } from './custom-fields.service';
import {
  CreateCustomFieldDto,
  CustomFieldDto,
  CustomFieldListDto,
  UpdateCustomFieldDto,
} from './dto/custom-field.dto';

interface Wording {
  path: string;
  tag: string;
  /** "contact" or "property", as the reference words the summaries. */
  noun: string;
  records: string;
  examples: string;
}

/**
 * The contact and property field-definition endpoints are the same four operations on two
 * separate sets of definitions; one class shape serves both, worded for each.
 */
function customFieldsController(entityType: EntityType, words: Wording): Type<unknown> {
  const { noun } = words;
  const Noun = noun.charAt(0).toUpperCase() + noun.slice(1);

  @ApiTags(words.tag)
  @Controller(words.path)
  class CustomFieldsController {
    constructor(readonly fields: CustomFieldsService) {}

    @Get()
    @Authenticated({ scope: Scope.CustomFieldList })
    @ApiOperation({
      summary: `List ${noun} field definitions`,
      description: `Returns the reusable custom fields that can store structured context on ${words.records}, such as ${words.examples}. Predefined fields come first, then by creation.`,
    })
    @ApiOkResponse({ type: CustomFieldListDto, description: `${Noun} field definitions` })
    async list(@Principal() caller: Caller): Promise<CustomFieldListDto> {
      const fields = await this.fields.list(caller.tenantId, entityType);
      return { customFields: fields.map(mapCustomField) };
    }

    @Post()
    @Authenticated({ scope: Scope.CustomFieldCreate })
    @ApiOperation({
      summary: `Create ${noun} field definition`,
      description: `Creates a reusable custom field for storing context on ${words.records}. The id is \`cf_\` plus a slug of the name and never changes.`,
    })
    @ApiCreatedResponse({ type: CustomFieldDto, description: `${Noun} field definition created` })
    @ApiProblem(409, 'A field with this name exists (case-insensitively)')
    @ApiProblem(422, 'Missing or invalid name or type')
    async create(
      @Principal() caller: Caller,
      @Body() body: CreateCustomFieldDto,
    ): Promise<CustomFieldDto> {
      const field = await this.fields.create(caller.tenantId, entityType, caller.userId, body);
      return mapCustomField(field);
    }

    @Patch(':id')
    @Authenticated({ scope: Scope.CustomFieldUpdate })
    @ApiOperation({
      summary: `Update ${noun} field definition`,
      description: `Renames a ${noun} field definition or changes its value type.`,
    })
    @ApiOkResponse({ type: CustomFieldDto, description: `${Noun} field definition updated` })
    @ApiProblem(404, 'Field definition not found')
    @ApiProblem(
      409,
      'Name taken, predefined field, or text → date while values that are not dates exist',
    )
    @ApiProblem(422, 'Invalid name or type')
    async update(
      @Principal() caller: Caller,
      @Param('id') id: string,
      @Body() body: UpdateCustomFieldDto,
    ): Promise<CustomFieldDto> {
      const field = await this.fields.update(caller.tenantId, entityType, id, body);
      return mapCustomField(field);
    }

    @Delete(':id')
    @HttpCode(204)
    @Authenticated({ scope: Scope.CustomFieldDelete })
    @ApiOperation({
      summary: `Delete ${noun} field definition`,
      description: `Deletes a ${noun} field definition that is no longer needed, and its values.`,
    })
    @ApiProblem(404, 'Field definition not found')
    @ApiProblem(409, 'Predefined fields cannot be deleted')
    @ApiNoContentResponse({ description: `${Noun} field definition deleted` })
    async delete(@Principal() caller: Caller, @Param('id') id: string): Promise<void> {
      await this.fields.delete(caller.tenantId, entityType, id);
    }
  }
  return CustomFieldsController;
}

export const ContactCustomFieldsController = customFieldsController('contact', {
  path: 'v1/contacts/custom-fields',
  tag: 'Contact custom fields',
  noun: 'contact',
  records: 'contacts',
  examples: 'lifecycle stage, preferred store, or renewal date',
});

export const PropertyCustomFieldsController = customFieldsController('property', {
  path: 'v1/properties/custom-fields',
  tag: 'Property custom fields',
  noun: 'property',
  records: 'property records',
  examples: 'region, tier, or renewal date',
});
