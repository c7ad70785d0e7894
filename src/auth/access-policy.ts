/** Every scope an operation can require (CONTRACT §2: exactly the one the reference names). */
export enum Scope {
  ContactList = 'contact:list',
  ContactRead = 'contact:read',
  ContactCreate = 'contact:create',
  ContactUpdate = 'contact:update',
  ContactDelete = 'contact:delete',
  TagList = 'tag:list',
  TagCreate = 'tag:create',
  TagDelete = 'tag:delete',
  CustomFieldList = 'custom_field:list',
  CustomFieldCreate = 'custom_field:create',
  CustomFieldUpdate = 'custom_field:update',
  CustomFieldDelete = 'custom_field:delete',
  WebhookManage = 'webhook:manage',
}

export enum Role {
  Owner = 'owner',
  Admin = 'admin',
  Agent = 'agent',
}

export const ALL_SCOPES: readonly Scope[] = Object.values(Scope);
export const ALL_ROLES: readonly Role[] = Object.values(Role);

export interface AccessPolicy {
  scope: Scope;
  roles: readonly Role[];
}

/** The authenticated caller, as handlers receive it. */
export interface Principal {
  userId: string;
  tenantId: string;
  role: string;
  scopes: ReadonlySet<string>;
}
