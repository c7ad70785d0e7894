import { createHash } from 'node:crypto';
import {
  CallHandler,
  ExecutionContext,
  HttpStatus,
  Injectable,
  NestInterceptor,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { Request, Response as ExpressResponse } from 'express';
import { from, lastValueFrom, Observable } from 'rxjs';
import type { Principal } from '../auth/access-policy';
import { ProblemException } from '../common/problem/problem.exception';
import { AppConfig } from '../config/app-config';
import { runInTransactionScope, TransactionScope } from '../database/transaction-scope';
import { UnitOfWork } from '../database/unit-of-work';
import { receiveFilePart } from '../imports/csv-upload';
import {
  IDEMPOTENCY_KEY_HEADER,
  parseIdempotencyKey,
  REPLAYED_HEADER,
  requestFingerprint,
} from './idempotency-key';
import { KeptResponse } from './idempotency.repository';
import { IdempotencyService } from './idempotency.service';
import { collectingUpload, jsonBodyHash } from './upload-fingerprint';

/** Outcomes a retry must not repeat from memory: it runs afresh instead. */
const NOT_KEPT = new Set([401, 403, 408, 429]);
const KEPT_HEADERS = ['content-type', 'location', 'etag'];

const reused = () =>
  new ProblemException({
    status: HttpStatus.UNPROCESSABLE_ENTITY,
    code: 'IDEMPOTENCY_KEY_REUSED',
    title: 'Unprocessable Content',
    detail: 'This Idempotency-Key was used with another request (method, path, query or body).',
  });

const inUse = () =>
  new ProblemException({
    status: HttpStatus.CONFLICT,
    code: 'IDEMPOTENCY_KEY_IN_USE',
    title: 'Conflict',
    detail: 'A request with this Idempotency-Key is still running; retry shortly.',
  });

interface KeyedRequest {
  tenantId: string;
  key: string;
  token: string;
  multipart: boolean;
}

/**
 * The global rule for every POST: with an Idempotency-Key the first request runs and its
 * response is kept (in the transaction of the writes it made); a retry gets the kept response.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly idempotency: IdempotencyService,
    private readonly unitOfWork: UnitOfWork,
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<Request & { user?: Principal }>();
    if (request.method !== 'POST' || request.headers[IDEMPOTENCY_KEY_HEADER] === undefined) {
      return next.handle();
    }
    return from(this.handle(context, next, request));
  }

  private async handle(
    context: ExecutionContext,
    next: CallHandler,
    request: Request & { user?: Principal },
  ): Promise<unknown> {
    const key = parseIdempotencyKey(request.headers[IDEMPOTENCY_KEY_HEADER]);
    const response = context.switchToHttp().getResponse<ExpressResponse>();
    const tenantId = request.user?.tenantId;
    if (key === undefined || tenantId === undefined) return lastValueFrom(next.handle());
    // An upload's file bytes join the fingerprint once it is read (its boundary may differ).
    const multipart = Boolean(request.is('multipart/form-data'));
    const fingerprint = requestFingerprint(
      request.method,
      request.originalUrl,
      multipart ? 'multipart' : jsonBodyHash(request),
    );
    const claim = await this.idempotency.claim(tenantId, key, fingerprint);
    switch (claim.kind) {
      case 'reused':
        throw reused();
      case 'in-use':
        response.setHeader('Retry-After', '1');
        throw inUse();
      case 'replay':
        if (multipart && claim.bodyHash && (await this.hashUpload(request)) !== claim.bodyHash) {
          throw reused();
        }
        return replay(claim.response);
      case 'run':
        return this.run(context, next, response, { tenantId, key, token: claim.token, multipart });
    }
  }

  private async run(
    context: ExecutionContext,
    next: CallHandler,
    response: ExpressResponse,
    keyed: KeyedRequest,
  ): Promise<unknown> {
    const { tenantId, key, token } = keyed;
    const scope = new TransactionScope();
    const stopLease = this.idempotency.keepLease(tenantId, key, token);
    try {
      const { result, fileHash } = await collectingUpload(() =>
        runInTransactionScope(scope, () =>
          lastValueFrom<unknown, undefined>(next.handle(), { defaultValue: undefined }),
        ),
      );
      const kept = this.keptSuccess(context, response, result);
      const bodyHash = keyed.multipart ? fileHash() : null;
      if (!(await this.idempotency.complete(tenantId, key, token, bodyHash, kept, scope.manager))) {
        throw inUse(); // the lease ran out and another request took the key over
      }
      await this.unitOfWork.commitScope(scope);
      return result;
    } catch (error) {
      scope.closed = true;
      await this.unitOfWork.rollbackScope(scope).catch(() => undefined);
      this.keepWhenSent(response, keyed);
      throw error;
    } finally {
      stopLease();
    }
  }

  private keptSuccess(
    context: ExecutionContext,
    response: ExpressResponse,
    result: unknown,
  ): KeptResponse {
    const statusCode =
      this.reflector.get<number>(HTTP_CODE_METADATA, context.getHandler()) ?? HttpStatus.CREATED;
    const hasBody = result !== undefined && result !== null;
    const headers = keptHeaders(response);
    if (hasBody) headers['content-type'] = 'application/json; charset=utf-8';
    return { statusCode, headers, body: hasBody ? JSON.stringify(result) : '' };
  }

  /**
   * A failure is answered by the problem filter: its response, as sent, is kept when it is the
   * operation's own 4xx; otherwise the key is released. The answer waits until that is stored.
   */
  private keepWhenSent(response: ExpressResponse, keyed: KeyedRequest): void {
    const { tenantId, key, token } = keyed;
    const send = response.send.bind(response);
    let settled = false;
    response.send = ((body?: unknown) => {
      response.send = send;
      if (settled) return send(body);
      settled = true;
      const status = response.statusCode;
      const store =
        status >= 400 && status < 500 && !NOT_KEPT.has(status)
          ? this.idempotency.complete(tenantId, key, token, null, {
              statusCode: status,
              headers: keptHeaders(response),
              body: sentText(body),
            })
          : this.idempotency.release(tenantId, key, token);
      void store.catch(() => undefined).finally(() => send(body));
      return response;
    }) as ExpressResponse['send'];
    response.once('close', () => {
      if (settled) return;
      settled = true;
      void this.idempotency.release(tenantId, key, token).catch(() => undefined);
    });
  }

  /** The file part's hash, to tell a retried upload from another file under the same key. */
  private hashUpload(request: Request): Promise<string> {
    return receiveFilePart(request, this.config.importMaxBytes, async (file) => {
      const hash = createHash('sha256');
      for await (const chunk of file as AsyncIterable<Buffer>) hash.update(chunk);
      return hash.digest('hex');
    });
  }
}

function keptHeaders(response: ExpressResponse): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = response.getHeader(name);
    if (value !== undefined) headers[name] = String(value);
  }
  // Express adds the charset when it sends text; the kept copy says what was sent.
  const type = headers['content-type'];
  if (type && !type.includes('charset')) headers['content-type'] = `${type}; charset=utf-8`;
  return headers;
}

/** The body a filter sent: a string (problem documents), a Buffer, or nothing. */
function sentText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  return typeof body === 'string' ? body : JSON.stringify(body);
}

/** The kept response again, marked as a replay. */
function replay(kept: KeptResponse): Response {
  const empty = kept.body === '' || kept.statusCode === 204 || kept.statusCode === 304;
  return new Response(empty ? null : kept.body, {
    status: kept.statusCode,
    headers: { ...kept.headers, [REPLAYED_HEADER]: 'true' },
  });
}
