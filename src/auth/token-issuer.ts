import { sign } from 'jsonwebtoken';
import { ulid } from 'ulid';
import { AppConfig } from '../config/app-config';
import { ALL_SCOPES, Role } from './access-policy';

export interface TokenRequest {
  role?: string;
  tenantId?: string;
  userId?: string;
  scopes?: readonly string[];
  /** Lifetime in seconds. */
  expiresInSeconds?: number;
}

/**
 * Signs a token with the configured HS256 secret, for trying the API locally. Tokens for
 * RS256/ES256 deployments come from the identity provider, never from this service.
 */
export function issueDevelopmentToken(config: AppConfig, request: TokenRequest = {}): string {
  if (config.jwt.algorithms[0] !== 'HS256') {
    throw new Error('Tokens can only be issued here with JWT_SECRET (HS256) configuration.');
  }
  return sign(
    {
      tenantId: request.tenantId ?? 'tn_development',
      role: request.role ?? Role.Admin,
      scope: (request.scopes ?? ALL_SCOPES).join(' '),
    },
    config.jwt.verificationKey,
    {
      algorithm: 'HS256',
      subject: request.userId ?? `usr_${ulid()}`,
      expiresIn: request.expiresInSeconds ?? 12 * 3600,
      ...(config.jwt.issuer ? { issuer: config.jwt.issuer } : {}),
      ...(config.jwt.audience ? { audience: config.jwt.audience } : {}),
    },
  );
}
