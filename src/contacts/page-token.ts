import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { BadRequestProblem } from '../common/problem/problem.exception';

/** Where the previous page ended: the sort value and id of its last contact. */
export interface PageCursor {
  sortValue: string;
  id: string;
}

interface TokenBody {
  /** Fingerprint of the filters and ordering the token was issued for. */
  q: string;
  v: string;
  i: string;
}

/**
 * Opaque, tamper-evident keyset cursors: base64url JSON plus an HMAC. A token only works with
 * the filters and ordering of the request that produced it.
 */
@Injectable()
export class PageTokenCodec {
  constructor(private readonly config: AppConfig) {}

  static fingerprint(parts: unknown): string {
    return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 22);
  }

  encode(fingerprint: string, cursor: PageCursor): string {
    const body: TokenBody = { q: fingerprint, v: cursor.sortValue, i: cursor.id };
    const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  decode(token: string, fingerprint: string): PageCursor {
    const [payload, signature, extra] = token.split('.');
    const expected = payload ? this.sign(payload) : '';
    if (
      extra !== undefined ||
      !signature ||
      signature.length !== expected.length ||
      !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))
    ) {
      throw new BadRequestProblem('INVALID_PAGE_TOKEN', 'The pageToken is not valid.');
    }
    const body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenBody;
    if (body.q !== fingerprint) {
      throw new BadRequestProblem(
        'PAGE_TOKEN_MISMATCH',
        'The pageToken was issued for different filters or ordering; repeat them exactly.',
      );
    }
    return { sortValue: body.v, id: body.i };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.config.pageTokenSecret)
      .update(payload)
      .digest('base64url')
      .slice(0, 32);
  }
}
