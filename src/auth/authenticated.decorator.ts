import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension } from '@nestjs/swagger';
import { ApiDefaultProblem, ApiProblem } from '../common/problem/api-problem.decorator';
import { ALL_ROLES, AccessPolicy, Role, Scope } from './access-policy';

export const ACCESS_POLICY = 'contacts-api:access-policy';
export const PUBLIC_ROUTE = 'contacts-api:public-route';

/**
 * Declares who may call an operation: the scope it requires and the roles it allows. The global
 * AccessGuard enforces it; the OpenAPI document shows it.
 */
export function Authenticated(options: { scope: Scope; roles?: readonly Role[] }) {
  const policy: AccessPolicy = { scope: options.scope, roles: options.roles ?? ALL_ROLES };
  return applyDecorators(
    SetMetadata(ACCESS_POLICY, policy),
    ApiBearerAuth('bearerAuth'),
    ApiExtension('x-required-scopes', [policy.scope]),
    ApiExtension('x-allowed-roles', [...policy.roles]),
    ApiProblem(401, 'Missing, malformed, expired or badly signed token'),
    ApiProblem(
      403,
      `Token lacks scope \`${policy.scope}\` or its role is not one of: ${policy.roles.join(', ')}`,
    ),
    ApiDefaultProblem(),
  );
}

/** Opts a route out of authentication (health checks). Everything else is refused by default. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
