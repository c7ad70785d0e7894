import { Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { Principal } from './access-policy';
import { UnauthorizedProblem } from './jwt.strategy';

/** Runs the passport-jwt strategy and turns its failures into 401 problems. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  override handleRequest<T = Principal>(error: unknown, principal: T | false, info: unknown): T {
    if (error instanceof UnauthorizedProblem) throw error;
    if (error || !principal) throw new UnauthorizedProblem(describeFailure(info));
    return principal;
  }
}

function describeFailure(info: unknown): string {
  const name = info instanceof Error ? info.name : '';
  const message = info instanceof Error ? info.message : '';
  if (name === 'TokenExpiredError') return 'The token has expired.';
  if (message === 'No auth token') return 'A bearer token is required.';
  if (message === 'invalid signature') return 'The token signature is invalid.';
  if (message.startsWith('invalid algorithm')) return 'The token algorithm is not accepted.';
  if (message.startsWith('jwt issuer invalid')) return 'The token issuer is not accepted.';
  if (message.startsWith('jwt audience invalid')) return 'The token audience is not accepted.';
  return 'The token is malformed or invalid.';
}
