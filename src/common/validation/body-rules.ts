import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  SetMetadata,
  Type,
  UseInterceptors,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { catchError, from, Observable, switchMap } from 'rxjs';
import type { Principal } from '../../auth/access-policy';
import { FieldError, ValidationProblem } from '../problem/problem.exception';
import { printable } from './well-formed-text';

/**
 * A body's domain rules: what its DTO cannot know (a tenant's fields, phone numbers). Services
 * run them on valid DTOs; when the DTO itself fails, they run on the raw body too, so one 422
 * names every offending field (CONTRACT §3). Must tolerate any JSON: skip what is not its type.
 */
export interface BodyRules {
  fieldErrors(tenantId: string, body: Record<string, unknown>): Promise<FieldError[]>;
}

/** The DTO check failed (ProblemValidationPipe): still a plain 422 where no rules are declared. */
export class BodyValidationFailed extends ValidationProblem {
  constructor(
    errors: FieldError[],
    readonly body: unknown,
  ) {
    super(errors);
  }
}

const BODY_RULES = 'contacts-api:body-rules';

@Injectable()
export class BodyRulesInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      catchError((error: unknown) => {
        const rulesType = this.reflector.get<Type<BodyRules>>(BODY_RULES, context.getHandler());
        const request = context.switchToHttp().getRequest<Request & { user?: Principal }>();
        const body = error instanceof BodyValidationFailed ? error.body : undefined;
        if (!rulesType || !request.user || typeof body !== 'object' || body === null) throw error;
        const rules = this.moduleRef.get(rulesType, { strict: false });
        // Rules that cannot read this body leave the DTO's 422 as it is.
        const domainErrors = rules
          .fieldErrors(request.user.tenantId, body as Record<string, unknown>)
          .catch((): FieldError[] => []);
        return from(domainErrors).pipe(
          switchMap((domainErrors) => {
            throw new ValidationProblem(
              merge((error as BodyValidationFailed).problem.errors!, domainErrors),
            );
          }),
        );
      }),
    );
  }
}

/** The DTO's errors first; a field it already names is not named again by a domain rule. */
function merge(dtoErrors: FieldError[], domainErrors: FieldError[]): FieldError[] {
  const named = new Set(dtoErrors.map((error) => error.field));
  return [
    ...dtoErrors,
    ...domainErrors
      .map((error) => ({ ...error, field: printable(error.field) }))
      .filter((error) => !named.has(error.field)),
  ];
}

/** Declares the domain rules of a route's body (see BodyRules). */
export const CheckedBy = (rules: Type<BodyRules>) =>
  applyDecorators(SetMetadata(BODY_RULES, rules), UseInterceptors(BodyRulesInterceptor));
