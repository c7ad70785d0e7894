import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Principal as PrincipalType } from './access-policy';

/** Injects the authenticated caller (set by the JWT strategy) into a handler parameter. */
export const Principal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): PrincipalType =>
    context.switchToHttp().getRequest<Request & { user: PrincipalType }>().user,
);
