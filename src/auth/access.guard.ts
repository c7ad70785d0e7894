import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ProblemException } from '../common/problem/problem.exception';
import { AccessPolicy, Principal } from './access-policy';
import { ACCESS_POLICY, PUBLIC_ROUTE } from './authenticated.decorator';
import { JwtAuthGuard } from './jwt-auth.guard';

class ForbiddenProblem extends ProblemException {
  constructor(code: string, detail: string) {
    super({ status: HttpStatus.FORBIDDEN, code, title: 'Forbidden', detail });
  }
}

/**
 * The one place access is enforced. Routes declare their policy with @Authenticated; routes
 * with neither @Authenticated nor @Public are refused, so a forgotten decorator fails closed.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwtAuthGuard: JwtAuthGuard,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;

    const policy = this.reflector.getAllAndOverride<AccessPolicy>(ACCESS_POLICY, targets);
    if (!policy) {
      throw new ForbiddenProblem('ROUTE_NOT_EXPOSED', 'This operation declares no access policy.');
    }
    await this.jwtAuthGuard.canActivate(context);
    const principal = context.switchToHttp().getRequest<Request & { user: Principal }>().user;

    if (!(policy.roles as readonly string[]).includes(principal.role)) {
      throw new ForbiddenProblem(
        'ROLE_NOT_ALLOWED',
        `Role "${principal.role}" may not perform this operation (allowed: ${policy.roles.join(', ')}).`,
      );
    }
    if (!principal.scopes.has(policy.scope)) {
      throw new ForbiddenProblem(
        'INSUFFICIENT_SCOPE',
        `This operation requires the "${policy.scope}" scope.`,
      );
    }
    return true;
  }
}
