import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { Response as HttpResponse } from 'express';
import { Scope } from '../auth/access-policy';
import type { Principal as Caller } from '../auth/access-policy';
import { Authenticated } from '../auth/authenticated.decorator';
import { Principal } from '../auth/principal.decorator';
import { ApiProblem } from '../common/problem/api-problem.decorator';
import { BadRequestProblem } from '../common/problem/problem.exception';
import { ConditionalWrite, IfMatch } from '../conditional/conditional-write.decorator';
import { ifNoneMatchHolds, setETag } from '../conditional/etag';
import {
  ApiConditionalRead,
  ApiConditionalWrite,
  VERSION_AS_ETAG,
} from '../conditional/etag.openapi';
import type { Precondition } from '../conditional/precondition';
import { CheckedBy } from '../common/validation/body-rules';
import { SearchBudget } from '../rate-limit/search-budget';
import { CHANNELS } from './contact.entity';
import { ContactInputRules } from './contact-input-rules';
import {
  MAX_PAGE_SIZE,
  ORDER_DIRECTIONS,
  ORDER_FIELDS,
  parseContactListQuery,
} from './contact-list-query';
import { mapContact } from './contact.mapper';
import { ContactsService } from './contacts.service';
import {
  ContactCountDto,
  ContactDto,
  ContactListDto,
  CreateContactDto,
  SetFieldValueDto,
  UpdateContactDto,
} from './dto/contact.dto';

const NOT_FOUND = 'Contact not found';

@ApiTags('Contacts')
@Controller('v1/contacts')
export class ContactsController {
  constructor(private readonly contacts: ContactsService) {}

  @Get()
  @Authenticated({ scope: Scope.ContactList })
  @SearchBudget(
    (request) => typeof request.query.search === 'string' && request.query.search !== '',
  )
  @ApiOperation({
    summary: 'Get contacts',
    description:
      'Returns customer profiles with identities, tags, and custom fields. Use filters to find the segment you want to message, enroll in journeys, or keep in sync. Pages are keyset-based: pass `nextPageToken` back as `pageToken` with the same filters and ordering.',
  })
  @ApiQuery({
    name: 'pageToken',
    required: false,
    description: "Opaque token from the previous response's `nextPageToken`.",
  })
  @ApiQuery({
    name: 'pageSize',
    required: false,
    type: Number,
    description: `Default 50, at most ${MAX_PAGE_SIZE} (larger values are clamped).`,
  })
  @ApiQuery({
    name: 'search',
    required: false,
    description:
      'Case-insensitive substring search across name, cf_email, cf_phone, identity phone, and tag name.',
  })
  @ApiQuery({
    name: 'customFields',
    required: false,
    style: 'deepObject',
    explode: true,
    type: 'object',
    // The empty example: else Swagger UI's Try it out sends `additionalProp1=string` (a 400).
    schema: { type: 'object', additionalProperties: { type: 'string' }, example: {} },
    description:
      'Filter by custom field values (AND logic, case-insensitive equality): `customFields[lifecycleStage]=customer`, or a JSON object string.',
  })
  @ApiQuery({
    name: 'tagIds',
    required: false,
    type: [String],
    description:
      'Include contacts tagged with any of the listed tag IDs (OR semantics). Repeated or comma-separated.',
  })
  @ApiQuery({
    name: 'channels',
    required: false,
    enum: CHANNELS,
    isArray: true,
    description:
      'Include contacts that have an identity on any of the listed channels (OR semantics).',
  })
  @ApiQuery({
    name: 'archived',
    required: false,
    type: Boolean,
    description: 'Omit or false: non-archived contacts only; true: archived contacts only.',
  })
  @ApiQuery({
    name: 'createdAfter',
    required: false,
    description: 'Inclusive lower bound on createdAt (RFC 3339).',
  })
  @ApiQuery({
    name: 'createdBefore',
    required: false,
    description: 'Exclusive upper bound on createdAt (RFC 3339).',
  })
  @ApiQuery({
    name: 'orderBy',
    required: false,
    enum: ORDER_FIELDS,
    description: 'Default createdAt; ties are broken by id.',
  })
  @ApiQuery({
    name: 'orderDirection',
    required: false,
    enum: ORDER_DIRECTIONS,
    description: 'Default desc.',
  })
  @ApiOkResponse({ type: ContactListDto, description: 'List of contacts' })
  @ApiProblem(
    400,
    'Malformed query parameter, unknown custom field, or invalid/mismatched pageToken',
  )
  async list(
    @Principal() caller: Caller,
    @Query() query: Record<string, unknown>,
  ): Promise<ContactListDto> {
    const page = await this.contacts.list(caller.tenantId, parseContactListQuery(query));
    return { contacts: page.contacts.map(mapContact), nextPageToken: page.nextPageToken };
  }

  @Post()
  @Authenticated({ scope: Scope.ContactCreate })
  @ApiOperation({
    summary: 'Create contact',
    description:
      'Creates a customer profile that can be matched to messages and events. A phone creates a WhatsApp identity.',
  })
  @ApiCreatedResponse({ type: ContactDto, description: 'Contact created' })
  @ApiProblem(
    409,
    'Another live contact has this WhatsApp phone (PHONE_ALREADY_EXISTS, with conflictingContactId)',
  )
  @ApiProblem(422, 'Invalid name, phone or custom field value, unknown field, or nothing given')
  @ApiConditionalWrite({ ifMatch: false, success: { status: 201, description: 'Contact created' } })
  @CheckedBy(ContactInputRules)
  async create(
    @Principal() caller: Caller,
    @Body() body: CreateContactDto,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<ContactDto> {
    const created = await this.contacts.create(caller.tenantId, body);
    setETag(res, created.contact.version);
    return mapContact(created);
  }

  @Get('count')
  @Authenticated({ scope: Scope.ContactList })
  @ApiOperation({
    summary: 'Count contacts',
    description:
      "Returns the tenant's contact count for a navigation/dashboard badge. This is independent of any list filters; the archived query parameter selects which bucket to count.",
  })
  @ApiQuery({
    name: 'archived',
    required: false,
    type: Boolean,
    description: 'Omit or pass false for non-archived count; pass true for archived-bucket count.',
  })
  @ApiOkResponse({ type: ContactCountDto, description: 'Contact count' })
  @ApiProblem(400, 'archived is not true or false')
  async count(
    @Principal() caller: Caller,
    @Query('archived') archived?: unknown,
  ): Promise<ContactCountDto> {
    if (archived !== undefined && archived !== 'true' && archived !== 'false') {
      throw new BadRequestProblem('INVALID_QUERY_PARAMETER', 'archived must be true or false', [
        { field: 'archived', message: 'must be true or false' },
      ]);
    }
    return { totalSize: await this.contacts.count(caller.tenantId, archived === 'true') };
  }

  @Get(':id')
  @Authenticated({ scope: Scope.ContactRead })
  @ApiOperation({
    summary: 'Get contact by ID',
    description:
      'Returns one customer profile with identities, tags, custom fields, and archive state.',
  })
  @ApiOkResponse({ type: ContactDto, description: 'Contact found' })
  @ApiProblem(404, NOT_FOUND)
  @ApiConditionalRead()
  async get(
    @Principal() caller: Caller,
    @Param('id') id: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<ContactDto | Response> {
    const contact = await this.contacts.get(caller.tenantId, id);
    setETag(res, contact.contact.version);
    if (ifNoneMatchHolds(ifNoneMatch, contact.contact.version)) {
      return new Response(null, { status: 304 });
    }
    return mapContact(contact);
  }

  @Patch(':id')
  @Authenticated({ scope: Scope.ContactUpdate })
  @ApiOperation({
    summary: 'Update contact',
    description: 'Updates mutable contact fields. Fields omitted from the body are left unchanged.',
  })
  @ApiOkResponse({ type: ContactDto, description: 'Contact updated' })
  @ApiProblem(404, NOT_FOUND)
  @ApiProblem(422, 'Invalid name or unknown attribute')
  @ApiConditionalWrite({ success: { status: 200, description: 'Contact updated' } })
  async update(
    @Principal() caller: Caller,
    @Param('id') id: string,
    @Body() body: UpdateContactDto,
    @Res({ passthrough: true }) res: HttpResponse,
    @IfMatch() precondition?: Precondition,
  ): Promise<ContactDto> {
    const contact = await this.contacts.rename(caller.tenantId, id, body.name, precondition);
    setETag(res, contact.contact.version);
    return mapContact(contact);
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated({ scope: Scope.ContactDelete })
  @ApiOperation({
    summary: 'Delete contact',
    description:
      'Soft deletes a contact. Use archive when you only want to hide the contact from active lists.',
  })
  @ApiProblem(404, NOT_FOUND)
  @ApiConditionalWrite({})
  async delete(
    @Principal() caller: Caller,
    @Param('id') id: string,
    @IfMatch() precondition?: Precondition,
  ): Promise<void> {
    await this.contacts.delete(caller.tenantId, id, precondition);
  }

  @Post(':id/archive')
  @Authenticated({ scope: Scope.ContactUpdate })
  @ApiOperation({
    summary: 'Archive contact',
    description: 'Hides a contact from active lists without deleting its history.',
  })
  @ApiProblem(404, NOT_FOUND)
  @ApiProblem(409, 'Contact is already archived')
  @ConditionalWrite()
  @ApiNoContentResponse(VERSION_AS_ETAG)
  archive(
    @Principal() caller: Caller,
    @Param('id') id: string,
    @IfMatch() precondition?: Precondition,
  ): Promise<number> {
    return this.contacts.setArchived(caller.tenantId, id, true, precondition);
  }

  @Post(':id/unarchive')
  @Authenticated({ scope: Scope.ContactUpdate })
  @ApiOperation({
    summary: 'Unarchive contact',
    description: 'Restores an archived contact to active lists.',
  })
  @ApiProblem(404, NOT_FOUND)
  @ApiProblem(409, 'Contact is not archived')
  @ConditionalWrite()
  @ApiNoContentResponse(VERSION_AS_ETAG)
  unarchive(
    @Principal() caller: Caller,
    @Param('id') id: string,
    @IfMatch() precondition?: Precondition,
  ): Promise<number> {
    return this.contacts.setArchived(caller.tenantId, id, false, precondition);
  }

  @Put(':contactId/custom-fields/:customFieldId')
  @Authenticated({ scope: Scope.ContactUpdate })
  @ApiOperation({
    summary: 'Set contact field value',
    description:
      'Sets or clears one custom field value on a contact. Send an empty string to clear the value while keeping the field definition available for future use. The field may be named by id or key.',
  })
  @ApiProblem(404, 'Contact or custom field not found')
  @ApiProblem(422, 'Invalid value for the field type')
  @ConditionalWrite()
  @ApiNoContentResponse(VERSION_AS_ETAG)
  setFieldValue(
    @Principal() caller: Caller,
    @Param('contactId') contactId: string,
    @Param('customFieldId') customFieldId: string,
    @Body() body: SetFieldValueDto,
    @IfMatch() precondition?: Precondition,
  ): Promise<number> {
    return this.contacts.setFieldValue(
      caller.tenantId,
      contactId,
      customFieldId,
      body.value,
      precondition,
    );
  }

  @Post(':contactId/tags/:tagId')
  @Authenticated({ scope: Scope.ContactUpdate })
  @ApiOperation({
    summary: 'Add tag to contact',
    description:
      'Adds a label to the contact for segmentation, routing, or reporting. Adding a tag the contact already has changes nothing.',
  })
  @ApiProblem(404, 'Contact or tag not found')
  @ConditionalWrite()
  @ApiNoContentResponse(VERSION_AS_ETAG)
  addTag(
    @Principal() caller: Caller,
    @Param('contactId') contactId: string,
    @Param('tagId') tagId: string,
    @IfMatch() precondition?: Precondition,
  ): Promise<number> {
    return this.contacts.addTag(caller.tenantId, contactId, tagId, precondition);
  }

  @Delete(':contactId/tags/:tagId')
  @Authenticated({ scope: Scope.ContactUpdate })
  @ApiOperation({
    summary: 'Remove tag from contact',
    description:
      'Removes a label from the contact. Removing a tag the contact does not have changes nothing.',
  })
  @ApiProblem(404, 'Contact or tag not found')
  @ConditionalWrite()
  @ApiNoContentResponse(VERSION_AS_ETAG)
  removeTag(
    @Principal() caller: Caller,
    @Param('contactId') contactId: string,
    @Param('tagId') tagId: string,
    @IfMatch() precondition?: Precondition,
  ): Promise<number> {
    return this.contacts.removeTag(caller.tenantId, contactId, tagId, precondition);
  }
}
