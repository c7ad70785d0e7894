import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpStatus, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { BadRequestProblem, ProblemException } from '../common/problem/problem.exception';

export class CursorExpired extends ProblemException {
  constructor() {
    super({
      status: HttpStatus.GONE,
      code: 'CURSOR_EXPIRED',
      title: 'Gone',
      detail:
        'The cursor points before the retention window: events after it were deleted. Start again without `after`.',
    });
  }
}

/**
 * Opaque, tamper-evident feed cursors: the feed position, base64url, with an HMAC bound to the
 * tenant (another tenant's cursor is invalid, not a window into its feed).
 */
@Injectable()
export class EventCursorCodec {
  constructor(private readonly config: AppConfig) {}

  encode(tenantId: string, position: number): string {
    const payload = Buffer.from(JSON.stringify({ p: position })).toString('base64url');
    return `${payload}.${this.sign(tenantId, payload)}`;
  }

  decode(tenantId: string, cursor: string): number {
    const [payload, signature, extra] = cursor.split('.');
    const expected = payload ? this.sign(tenantId, payload) : '';
    if (
      extra !== undefined ||
      !signature ||
      signature.length !== expected.length ||
      !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))
    ) {
      throw new BadRequestProblem('INVALID_CURSOR', 'The cursor is not valid.', [
        { field: 'after', message: 'must be a nextCursor returned by this endpoint' },
      ]);
    }
    const body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { p: number };
    return body.p;
  }

  private sign(tenantId: string, payload: string): string {
    return createHmac('sha256', this.config.pageTokenSecret)
      .update(`events:${tenantId}:${payload}`)
      .digest('base64url')
      .slice(0, 32);
  }
}
