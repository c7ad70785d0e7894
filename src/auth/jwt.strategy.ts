import { createPublicKey, createSecretKey, KeyObject } from 'node:crypto';
import { HttpStatus, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../config/app-config';
import { ProblemException } from '../common/problem/problem.exception';
import { Principal } from './access-policy';

interface AccessTokenClaims {
  sub?: unknown;
  tenantId?: unknown;
  role?: unknown;
  scope?: unknown;
  scopes?: unknown;
  exp?: unknown;
}

export class UnauthorizedProblem extends ProblemException {
  constructor(detail: string) {
    super({ status: HttpStatus.UNAUTHORIZED, code: 'UNAUTHORIZED', title: 'Unauthorized', detail });
  }
}

function verificationKeyOf(config: AppConfig): KeyObject {
  const { verificationKey, algorithms } = config.jwt;
  return algorithms[0] === 'HS256'
    ? createSecretKey(Buffer.from(verificationKey, 'utf8'))
    : createPublicKey(verificationKey);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** CONTRACT §2: claims out of shape are refused here, before they reach a column or a key. */
const CLAIM_SHAPES = {
  tenantId: { pattern: /^[A-Za-z0-9_-]{1,64}$/, wording: '1-64 characters of A-Z a-z 0-9 _ -' },
  sub: { pattern: /^[\x20-\x7e]{1,128}$/, wording: '1-128 printable ASCII characters' },
} as const;

/** Scopes come as an RFC 9068 space-separated `scope` string or a `scopes` array. */
function grantedScopes(claims: AccessTokenClaims): Set<string> {
  const scopes = new Set<string>();
  if (typeof claims.scope === 'string') {
    claims.scope.split(/\s+/).forEach((s) => s && scopes.add(s));
  }
  if (Array.isArray(claims.scopes)) {
    claims.scopes.forEach((s) => typeof s === 'string' && scopes.add(s));
  }
  return scopes;
}

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(config: AppConfig) {
    const key = verificationKeyOf(config);
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject built once: given a string, jsonwebtoken re-parses it (first trying it as a
      // PEM, and failing) on every request, which cost a third of a request's CPU.
      // (@types/passport-jwt says string | Buffer; jsonwebtoken takes a KeyObject too.)
      secretOrKeyProvider: (_request, _token, done) => done(null, key as unknown as Buffer),
      // An explicit list: tokens signed with `none` or another family are refused.
      algorithms: config.jwt.algorithms,
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      ignoreExpiration: false,
    });
  }

  validate(claims: AccessTokenClaims): Principal {
    if (typeof claims.exp !== 'number')
      throw new UnauthorizedProblem('The token has no expiry (exp).');
    for (const claim of ['sub', 'tenantId', 'role'] as const) {
      if (!nonEmptyString(claims[claim])) {
        throw new UnauthorizedProblem(`The token lacks the "${claim}" claim.`);
      }
    }
    for (const [claim, shape] of Object.entries(CLAIM_SHAPES)) {
      if (!shape.pattern.test(claims[claim as keyof typeof CLAIM_SHAPES] as string)) {
        throw new UnauthorizedProblem(`The "${claim}" claim must be ${shape.wording}.`);
      }
    }
    return {
      userId: claims.sub as string,
      tenantId: claims.tenantId as string,
      role: claims.role as string,
      scopes: grantedScopes(claims),
    };
  }
}
