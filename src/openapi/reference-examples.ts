/**
 * The published reference's request and response samples, one entry per operation, keyed by
 * `method path`. Where the reference reuses a sample carelessly (a created contact echoing other
 * field values, a new tag named differently from its request, a contact field answered as a
 * property field, a PDF as the CSV upload) the sample here shows what the API does (CONTRACT).
 */
export interface OperationExample {
  /** Path parameters by name. */
  params?: Record<string, string>;
  /** Query string of the sample request (shown in its curl line only, so Try it out starts empty). */
  query?: string;
  /** JSON (or multipart) request body. */
  body?: Record<string, unknown>;
  /** Status and body of the sample response (no body for 204). */
  response: { status: number; body?: unknown };
}

const CONTACT_ID = 'con_01HV8Y5R5RFMS0TFK6PKF9H2S8';
const TAG_ID = 'tag_01HV8Y9R3Q4J6A7M8N9P0Q2S4';
const USER_ID = 'usr_01HV8Y3K2R6G7K3F5B9N8M1Q0';
const IMPORT_ID = 'import_01HV8Z92S0R7M4E5P6Q8T1A2B3';

const contact = (overrides: Record<string, unknown> = {}) => ({
  id: CONTACT_ID,
  tenantId: 'tn_01HV8Y1N3QPY9X2HBQ1M9E8D0',
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
  tagIds: [TAG_ID],
  customFields: { lifecycleStage: 'customer', preferredStore: 'Krakow' },
  archivedAt: null,
  ...overrides,
});

const field = (entityType: 'contact' | 'property', id: string, name: string) => ({
  id,
  key: id.replace(/^cf_/, '').replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()),
  name,
  type: 'text',
  createdAt: '2026-04-30T09:00:00.000Z',
  createdBy: USER_ID,
  predefined: false,
  entityType,
});

const tag = (name: string, labeledCount: number) => ({
  id: TAG_ID,
  name,
  createdAt: '2026-04-27T00:00:00.000Z',
  createdBy: USER_ID,
  labeledCount,
});

const NO_CONTENT = (status = 204) => ({ response: { status } });

export const REFERENCE_EXAMPLES: Record<string, OperationExample> = {
  'get /v1/contacts': {
    query: 'customFields[preferredStore]=Krakow&tagIds=tag_01HV8Y9R3Q4J6A7M8N9P0Q2S4&pageSize=50',
    response: {
      status: 200,
      body: { contacts: [contact()], nextPageToken: 'eyJxIjoi…' },
    },
  },
  'post /v1/contacts': {
    body: {
      name: 'Anna Kowalska',
      phone: '+48123456789',
      customFields: { lifecycleStage: 'lead', preferredStore: 'Krakow' },
    },
    // A new contact has no tags yet and echoes the values it was created with.
    response: {
      status: 201,
      body: contact({
        updatedAt: '2026-04-30T09:20:00.000Z',
        tagIds: [],
        customFields: { lifecycleStage: 'lead', preferredStore: 'Krakow' },
      }),
    },
  },
  'get /v1/contacts/count': {
    query: 'archived=false',
    response: { status: 200, body: { totalSize: 1200 } },
  },
  'get /v1/contacts/{id}': {
    params: { id: CONTACT_ID },
    response: { status: 200, body: contact() },
  },
  'patch /v1/contacts/{id}': {
    params: { id: CONTACT_ID },
    body: { name: 'Anna Nowak' },
    response: { status: 200, body: contact({ name: 'Anna Nowak' }) },
  },
  'delete /v1/contacts/{id}': { params: { id: CONTACT_ID }, ...NO_CONTENT() },
  'post /v1/contacts/import': {
    body: {
      file: 'name,phone,email,tags\nAnna Kowalska,+48123456789,anna@example.com,VIP;order_ready\n',
    },
    response: { status: 202, body: { importId: IMPORT_ID } },
  },
  'get /v1/contacts/imports/{id}': {
    params: { id: IMPORT_ID },
    response: {
      status: 200,
      body: {
        importId: IMPORT_ID,
        status: 'completed',
        totalRows: 1200,
        processedRows: 1200,
        successCount: 1194,
        createdCount: 1000,
        updatedCount: 194,
        failedCount: 6,
        errors: [{ row: 17, column: 'phone', message: 'must be a valid E.164 phone number' }],
        errorsTruncated: false,
        ignoredColumns: [],
        createdAt: '2026-04-30T09:20:00.000Z',
        startedAt: '2026-04-30T09:20:01.000Z',
        completedAt: '2026-04-30T09:20:09.000Z',
      },
    },
  },
  'post /v1/contacts/{id}/archive': { params: { id: CONTACT_ID }, ...NO_CONTENT() },
  'post /v1/contacts/{id}/unarchive': { params: { id: CONTACT_ID }, ...NO_CONTENT() },
  'put /v1/contacts/{contactId}/custom-fields/{customFieldId}': {
    params: { contactId: CONTACT_ID, customFieldId: 'cf_preferred_store' },
    body: { value: 'Krakow' },
    ...NO_CONTENT(),
  },
  'post /v1/contacts/{contactId}/tags/{tagId}': {
    params: { contactId: CONTACT_ID, tagId: TAG_ID },
    ...NO_CONTENT(),
  },
  'delete /v1/contacts/{contactId}/tags/{tagId}': {
    params: { contactId: CONTACT_ID, tagId: TAG_ID },
    ...NO_CONTENT(),
  },
  'get /v1/tags': { response: { status: 200, body: { tags: [tag('order_ready', 12)] } } },
  'post /v1/tags': { body: { name: 'VIP' }, response: { status: 201, body: tag('VIP', 0) } },
  'delete /v1/tags/{id}': { params: { id: TAG_ID }, ...NO_CONTENT() },
  'get /v1/contacts/custom-fields': {
    response: {
      status: 200,
      body: { customFields: [field('contact', 'cf_lifecycle_stage', 'Lifecycle stage')] },
    },
  },
  'post /v1/contacts/custom-fields': {
    body: { name: 'Lifecycle stage', type: 'text' },
    response: { status: 201, body: field('contact', 'cf_lifecycle_stage', 'Lifecycle stage') },
  },
  // The reference answers this contact-field rename with `entityType: "property"`.
  'patch /v1/contacts/custom-fields/{id}': {
    params: { id: 'cf_region' },
    body: { name: 'Region', type: 'text' },
    response: { status: 200, body: field('contact', 'cf_region', 'Region') },
  },
  'delete /v1/contacts/custom-fields/{id}': {
    params: { id: 'cf_lifecycle_stage' },
    ...NO_CONTENT(),
  },
  'get /v1/properties/custom-fields': {
    response: { status: 200, body: { customFields: [field('property', 'cf_region', 'Region')] } },
  },
  'post /v1/properties/custom-fields': {
    body: { name: 'Region', type: 'text' },
    response: { status: 201, body: field('property', 'cf_region', 'Region') },
  },
  'patch /v1/properties/custom-fields/{id}': {
    params: { id: 'cf_region' },
    body: { name: 'Region', type: 'text' },
    response: { status: 200, body: field('property', 'cf_region', 'Region') },
  },
  'delete /v1/properties/custom-fields/{id}': { params: { id: 'cf_region' }, ...NO_CONTENT() },
};
