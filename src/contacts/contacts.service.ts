import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { newId } from '../common/identifiers';
import { normalizePhoneNumber } from '../common/phone-number';
import {
  ConflictProblem,
  NotFoundProblem,
  ValidationProblem,
  BadRequestProblem,
} from '../common/problem/problem.exception';
import { CustomFieldEntity } from '../custom-fields/custom-field.entity';
import { CustomFieldsService } from '../custom-fields/custom-fields.service';
import { FieldValuesRepository, valueKeyOf } from '../custom-fields/field-values.repository';
import { EMAIL_FIELD_ID, PHONE_FIELD_ID } from '../custom-fields/predefined-fields';
import { assertPrecondition, Precondition } from '../conditional/precondition';
import { isUniqueViolation } from '../database/driver-errors';
import { UnitOfWork } from '../database/unit-of-work';
import { recordContactEvents } from '../events/contact-events';
import { TagCounters } from '../tags/counts/tag-counters';
import { TagsRepository } from '../tags/tags.repository';
import { TagNotFound } from '../tags/tags.service';
import { contactSearchText, nameSortOf } from './contact-search-text';
import { ContactFilter, ContactListQuery } from './contact-list-query';
import { ContactAggregate, ContactEntity, ContactIdentityEntity } from './contact.entity';
import { ResolvedContactFilter } from './contact-filter.sql';
import { ContactsRepository } from './contacts.repository';
import { PageTokenCodec } from './page-token';
import {
  checkCustomFieldValue,
  cleanName,
  ContactInput,
  ContactInputRules,
} from './contact-input-rules';
import { ContactIndexes } from './search/contact-indexes';

export class ContactNotFound extends NotFoundProblem {
  constructor(id: string) {
    super('CONTACT_NOT_FOUND', `Contact ${id} was not found.`);
  }
}

export class PhoneAlreadyExists extends ConflictProblem {
  constructor(phone: string, conflictingContactId: string) {
    super(
      'PHONE_ALREADY_EXISTS',
      `Contact ${conflictingContactId} already has the WhatsApp phone ${phone}.`,
      { conflictingContactId },
    );
  }
}

export type CreateContactInput = ContactInput;

export interface ContactPage {
  contacts: ContactAggregate[];
  nextPageToken: string;
}

@Injectable()
export class ContactsService {
  constructor(
    private readonly contacts: ContactsRepository,
    private readonly fieldDefinitions: CustomFieldsService,
    private readonly fieldValues: FieldValuesRepository,
    private readonly tags: TagsRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly pageTokens: PageTokenCodec,
    private readonly inputRules: ContactInputRules,
    private readonly indexes: ContactIndexes,
    private readonly tagCounters: TagCounters,
  ) {}

  async get(tenantId: string, id: string): Promise<ContactAggregate> {
    const contact = await this.contacts.findLive(tenantId, id);
    if (!contact) throw new ContactNotFound(id);
    const [aggregate] = await this.contacts.loadAggregates(tenantId, [contact]);
    return aggregate;
  }

  async list(tenantId: string, query: ContactListQuery): Promise<ContactPage> {
    const filter = await this.resolveFilter(tenantId, query.filter);
    const fingerprint = PageTokenCodec.fingerprint([
      query.filter.search ?? '',
      filter.fieldValues.map((f) => [f.fieldId, f.value.toLowerCase()]).sort(),
      [...filter.tagIds].sort(),
      [...filter.channels].sort(),
      filter.state,
      filter.createdAfter?.toISOString() ?? '',
      filter.createdBefore?.toISOString() ?? '',
      query.orderBy,
      query.orderDirection,
    ]);
    const cursor = query.pageToken
      ? this.pageTokens.decode(query.pageToken, fingerprint)
      : undefined;
    const order = { field: query.orderBy, direction: query.orderDirection };
    // One extra row tells whether another non-empty page exists.
    const rows = await this.contacts.list(tenantId, filter, order, cursor, query.pageSize + 1);
    const page = rows.slice(0, query.pageSize);
    const last = page.at(-1);
    const nextPageToken =
      rows.length > query.pageSize && last
        ? this.pageTokens.encode(fingerprint, {
            sortValue:
              query.orderBy === 'name'
                ? last.nameSort
                : (query.orderBy === 'updatedAt' ? last.updatedAt : last.createdAt).toISOString(),
            id: last.id,
          })
        : '';
    return { contacts: await this.contacts.loadAggregates(tenantId, page), nextPageToken };
  }

  count(tenantId: string, archived: boolean): Promise<number> {
    return this.indexes.count(tenantId, archived);
  }

  async create(tenantId: string, input: CreateContactInput): Promise<ContactAggregate> {
    const { errors, name, phone, values } = await this.inputRules.check(tenantId, input);
    if (errors.length === 0 && name === null && phone === null && values.size === 0) {
      errors.push({
        field: 'name',
        message: 'a contact needs at least one of name, phone or a custom field value',
      });
    }
    if (errors.length > 0) throw new ValidationProblem(errors);

    // The key first, then the clock: search keys follow creation order (search-key-order.ts).
    const searchKey = await this.indexes.newKey(tenantId);
    const now = new Date();
    const contact = Object.assign(new ContactEntity(), {
      tenantId,
      id: newId('con'),
      searchKey,
      name,
      nameSort: nameSortOf(name),
      state: 'active',
      searchText: contactSearchText(name, values, phone ? [phone] : []),
      createdAt: now,
      updatedAt: now,
      archivedAt: null,
      deletedAt: null,
      version: 1,
    });
    const identities = phone
      ? [
          Object.assign(new ContactIdentityEntity(), {
            tenantId,
            id: newId('idn'),
            contactId: contact.id,
            channel: 'whatsapp',
            address: phone,
            liveAddress: phone,
          }),
        ]
      : [];
    try {
      await this.unitOfWork.run(async (manager) => {
        if (phone) await this.assertPhoneFree(tenantId, phone, manager);
        await this.contacts.insert(contact, manager);
        for (const identity of identities) await this.contacts.insertIdentity(identity, manager);
        await this.fieldValues.insertMany(
          [...values].map(([fieldId, value]) => ({
            tenantId,
            contactId: contact.id,
            contactCreatedAt: contact.createdAt,
            fieldId,
            value,
          })),
          manager,
        );
        await this.indexes.created(manager, [contact]);
        await recordContactEvents(
          manager,
          tenantId,
          [{ contactId: contact.id, type: 'contact.created' }],
          now,
        );
      });
    } catch (error) {
      // Two concurrent creates of one phone: the unique index lets one through.
      if (phone && isUniqueViolation(error)) await this.assertPhoneFree(tenantId, phone);
      throw error;
    }
    return { contact, identities, tagIds: [], fieldValues: values };
  }

  async rename(
    tenantId: string,
    id: string,
    name: string | null | undefined,
    precondition?: Precondition,
  ) {
    await this.unitOfWork.run(async (manager) => {
      const contact = await this.requireLive(tenantId, id, manager, precondition);
      if (name === undefined) return;
      const newName = cleanName(name);
      if (newName === contact.name) return;
      const searchText = await this.searchTextOf(tenantId, id, newName, undefined, manager);
      await this.contacts.update(
        tenantId,
        id,
        { name: newName, nameSort: nameSortOf(newName), searchText, updatedAt: new Date() },
        manager,
      );
      await this.indexes.textChanged(manager, [{ contact, text: searchText }]);
      await recordContactEvents(manager, tenantId, [{ contactId: id, type: 'contact.updated' }]);
    });
    return this.get(tenantId, id);
  }

  async delete(tenantId: string, id: string, precondition?: Precondition): Promise<void> {
    await this.unitOfWork.run(async (manager) => {
      const contact = await this.requireLive(tenantId, id, manager, precondition);
      await this.contacts.softDelete(tenantId, id, new Date(), manager);
      // Tag counters before contact counters, the order an import batch takes them in.
      await this.tagCounters.contactDeleted(manager, tenantId, id);
      await this.indexes.deleted(manager, contact);
      await recordContactEvents(manager, tenantId, [{ contactId: id, type: 'contact.deleted' }]);
    });
  }

  /** Returns the contact's new version. */
  async setArchived(
    tenantId: string,
    id: string,
    archived: boolean,
    precondition?: Precondition,
  ): Promise<number> {
    return this.unitOfWork.run(async (manager) => {
      const contact = await this.requireLive(tenantId, id, manager, precondition);
      if (archived && contact.state === 'archived') {
        throw new ConflictProblem('CONTACT_ALREADY_ARCHIVED', `Contact ${id} is already archived.`);
      }
      if (!archived && contact.state !== 'archived') {
        throw new ConflictProblem('CONTACT_NOT_ARCHIVED', `Contact ${id} is not archived.`);
      }
      const now = new Date();
      await this.contacts.update(
        tenantId,
        id,
        archived
          ? { state: 'archived', archivedAt: now, updatedAt: now }
          : { state: 'active', archivedAt: null, updatedAt: now },
        manager,
      );
      await this.indexes.stateChanged(manager, contact, archived ? 'archived' : 'active');
      const type = archived ? 'contact.archived' : 'contact.unarchived';
      await recordContactEvents(manager, tenantId, [{ contactId: id, type }], now);
      return contact.version + 1;
    });
  }

  /** Sets (or with "" clears) one field value; returns the contact's version. */
  async setFieldValue(
    tenantId: string,
    contactId: string,
    fieldReference: string,
    raw: string,
    precondition?: Precondition,
  ): Promise<number> {
    const fields = await this.fieldDefinitions.list(tenantId, 'contact');
    return this.unitOfWork.run(async (manager) => {
      const contact = await this.requireLive(tenantId, contactId, manager, precondition);
      const field = CustomFieldsService.byReference(fields, fieldReference);
      if (!field) {
        throw new NotFoundProblem(
          'CUSTOM_FIELD_NOT_FOUND',
          `Custom field ${fieldReference} was not found.`,
        );
      }
      const outcome = this.checkValue([field], field.id, raw);
      if ('error' in outcome) {
        throw new ValidationProblem([{ field: 'value', message: outcome.error.message }]);
      }
      const values = await this.fieldValues.valuesOf(tenantId, contactId, manager);
      if (values.get(field.id) === outcome.value) return contact.version;
      if (outcome.value === undefined) {
        if (!(await this.fieldValues.clear(tenantId, contactId, field.id, manager))) {
          return contact.version;
        }
        values.delete(field.id);
      } else {
        await this.fieldValues.set(tenantId, contact, field.id, outcome.value, manager);
        values.set(field.id, outcome.value);
      }
      const changes: Partial<ContactEntity> = { updatedAt: new Date() };
      if (field.id === EMAIL_FIELD_ID || field.id === PHONE_FIELD_ID) {
        changes.searchText = await this.searchTextOf(
          tenantId,
          contactId,
          undefined,
          values,
          manager,
        );
      }
      await this.contacts.update(tenantId, contactId, changes, manager);
      if (changes.searchText !== undefined) {
        await this.indexes.textChanged(manager, [{ contact, text: changes.searchText }]);
      }
      await recordContactEvents(manager, tenantId, [{ contactId, type: 'contact.updated' }]);
      return contact.version + 1;
    });
  }

  /** Attaches a tag; attaching one that is already there changes nothing. Returns the version. */
  async addTag(
    tenantId: string,
    contactId: string,
    tagId: string,
    precondition?: Precondition,
  ): Promise<number> {
    return this.unitOfWork.run(async (manager) => {
      const contact = await this.requireLive(tenantId, contactId, manager, precondition);
      if (!(await this.tags.findById(tenantId, tagId, manager))) throw new TagNotFound(tagId);
      const now = new Date();
      if (!(await this.contacts.attachTag(tenantId, contact, tagId, now, manager))) {
        return contact.version;
      }
      await this.tagCounters.linked(manager, tenantId, [tagId]);
      await this.contacts.update(tenantId, contactId, { updatedAt: now }, manager);
      await recordContactEvents(manager, tenantId, [{ contactId, type: 'contact.updated' }], now);
      return contact.version + 1;
    });
  }

  /** Detaches a tag; detaching one that is not there changes nothing. Returns the version. */
  async removeTag(
    tenantId: string,
    contactId: string,
    tagId: string,
    precondition?: Precondition,
  ): Promise<number> {
    return this.unitOfWork.run(async (manager) => {
      const contact = await this.requireLive(tenantId, contactId, manager, precondition);
      if (!(await this.tags.findById(tenantId, tagId, manager))) throw new TagNotFound(tagId);
      if (!(await this.contacts.detachTag(tenantId, contactId, tagId, manager))) {
        return contact.version;
      }
      await this.tagCounters.unlinked(manager, tenantId, [tagId]);
      await this.contacts.update(tenantId, contactId, { updatedAt: new Date() }, manager);
      await recordContactEvents(manager, tenantId, [{ contactId, type: 'contact.updated' }]);
      return contact.version + 1;
    });
  }

  /** The live contact, locked for this write, and 412 unless it meets the precondition. */
  private async requireLive(
    tenantId: string,
    id: string,
    manager: EntityManager,
    precondition?: Precondition,
  ) {
    const contact = await this.contacts.lockLive(tenantId, id, manager);
    if (!contact) throw new ContactNotFound(id);
    assertPrecondition(precondition, id, contact.version);
    return contact;
  }

  private async assertPhoneFree(tenantId: string, phone: string, manager?: EntityManager) {
    const holder = await this.contacts.findIdByLiveAddress(tenantId, 'whatsapp', phone, manager);
    if (holder) throw new PhoneAlreadyExists(phone, holder);
  }

  /** Recomputes the search text from stored state, with the given name or values in place. */
  private async searchTextOf(
    tenantId: string,
    contactId: string,
    name: string | null | undefined,
    values: Map<string, string> | undefined,
    manager: EntityManager,
  ): Promise<string> {
    const contact = await this.contacts.findLive(tenantId, contactId, manager);
    const identities = await this.contacts.identitiesOf(tenantId, contactId, manager);
    return contactSearchText(
      name === undefined ? (contact?.name ?? null) : name,
      values ?? (await this.fieldValues.valuesOf(tenantId, contactId, manager)),
      identities.map((identity) => identity.address),
    );
  }

  private checkValue(fields: CustomFieldEntity[], reference: string, raw: unknown) {
    return checkCustomFieldValue(fields, reference, raw);
  }

  private async resolveFilter(
    tenantId: string,
    filter: ContactFilter,
  ): Promise<ResolvedContactFilter> {
    const fieldValues: ResolvedContactFilter['fieldValues'] = [];
    const references = Object.entries(filter.customFields);
    if (references.length > 0) {
      const fields = await this.fieldDefinitions.list(tenantId, 'contact');
      const unknown = references.filter(([ref]) => !CustomFieldsService.byReference(fields, ref));
      if (unknown.length > 0) {
        throw new BadRequestProblem(
          'UNKNOWN_CUSTOM_FIELD',
          `Unknown contact custom field(s): ${unknown.map(([ref]) => ref).join(', ')}.`,
          unknown.map(([ref]) => ({
            field: `customFields.${ref}`,
            message: 'is not a contact custom field',
          })),
        );
      }
      for (const [reference, value] of references) {
        const field = CustomFieldsService.byReference(fields, reference)!;
        // Phones are stored in E.164, so a filter on cf_phone is normalized the same way.
        const expected =
          field.id === PHONE_FIELD_ID
            ? (normalizePhoneNumber(value) ?? value.trim())
            : value.trim();
        fieldValues.push({ fieldId: field.id, valueKey: valueKeyOf(expected), value: expected });
      }
    }
    const search = filter.search
      ? {
          term: filter.search,
          tagIds: await this.tags.findIdsByNameContaining(tenantId, filter.search),
        }
      : undefined;
    return {
      state: filter.archived ? 'archived' : 'active',
      search,
      fieldValues,
      tagIds: filter.tagIds,
      channels: filter.channels,
      createdAfter: filter.createdAfter,
      createdBefore: filter.createdBefore,
    };
  }
}
