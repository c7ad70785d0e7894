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
import { AppConfig } from '../config/app-config';
import { isRetryableConflict } from '../database/driver-errors';
import { runInTransactionScope, TransactionScope } from '../database/transaction-scope';
import { UnitOfWork } from '../database/unit-of-work';
import { receiveFilePart } from '../imports/csv-upload';
import { IDEMPOTENCY_KEY_HEADER, parseIdempotencyKey, requestFingerprint } from './idempotency-key';
import { KeptResponse } from './idempotency.repository';
import { Claim, IdempotencyService } from './idempotency.service';
import { inUse, keptHeaders, replay, reused, whenFailureSent } from './kept-response';
import { collectingUpload, jsonBodyHash } from './upload-fingerprint';

interface KeyedRequest {
  tenantId: string;
  key: string;
  fingerprint: string;
  multipart: boolean;
}

/** A whole request whose transaction InnoDB rolled back (a deadlock victim) runs this often. */
const ATTEMPTS = 4;

/**
 * The global rule for every POST: with an Idempotency-Key the first request runs and its
 * response is kept (in the transaction of the writes it made); a retry gets the kept response.
 *
 * A JSON request claims its key with the first statement of its own transaction, and the kept
 * response commits with its writes: one commit and no lease timer, where a claim of its own
 * would commit first. The uncommitted row's lock is what makes a concurrent first request wait
 * (on another process; one here is answered at once), and it dies with the transaction if the
 * request fails or its process crashes. An upload keeps the claim committed under a renewed
 * lease, since it runs far longer than a transaction should hold a lock; a key that is already
 * taken goes through `claim()` too (replay, 422, 409, or the take-over of an expired key).
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
    const keyed = { tenantId, key, fingerprint, multipart };
    if (multipart) return this.answerClaim(context, next, request, response, keyed);
    const hold = this.idempotency.holdHere(tenantId, key, fingerprint);
    if (hold.kind !== 'run') return this.answerClaim(context, next, request, response, keyed, hold);
    const ran = await this.runInTransaction(context, next, response, keyed, hold.release);
    return ran.kind === 'ran'
      ? ran.result
      : this.answerClaim(context, next, request, response, keyed);
  }

  /** Answers by the committed state of the key, as `claim()` finds it. */
  private async answerClaim(
    context: ExecutionContext,
    next: CallHandler,
    request: Request,
    response: ExpressResponse,
    keyed: KeyedRequest,
    known?: Claim,
  ): Promise<unknown> {
    const { tenantId, key, fingerprint, multipart } = keyed;
    const claim = known ?? (await this.idempotency.claim(tenantId, key, fingerprint));
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
        return this.runLeased(context, next, response, keyed, claim.token);
    }
  }

  /**
   * Claims the key in the operation's transaction and runs it there; 'taken' when a committed
   * row holds the key. `release` (the hold on the key in this process) is called once the
   * outcome is stored.
   */
  private async runInTransaction(
    context: ExecutionContext,
    next: CallHandler,
    response: ExpressResponse,
    keyed: KeyedRequest,
    release: () => void,
  ): Promise<{ kind: 'ran'; result: unknown } | { kind: 'taken' }> {
    const { tenantId, key, fingerprint } = keyed;
    let handedOver = false;
    try {
      for (let attempt = 1; ; attempt++) {
        const scope = new TransactionScope();
        const claim = await runInTransactionScope(scope, () =>
          this.idempotency.claimInTransaction(tenantId, key, fingerprint),
        );
        if (claim.kind === 'taken') return claim;
        if (claim.kind === 'in-use') {
          response.setHeader('Retry-After', '1');
          throw inUse();
        }
        try {
          const result = await this.runClaimed(context, next, response, keyed, scope, claim.token);
          return { kind: 'ran', result };
        } catch (error) {
          scope.closed = true;
          await this.unitOfWork.rollbackScope(scope).catch(() => undefined);
          // A deadlock victim's transaction is gone whole, the claim with it: the request runs
          // again, as UnitOfWork reruns a transaction (the claim was the first work here).
          if (isRetryableConflict(error) && attempt < ATTEMPTS && !response.headersSent) {
            await backOff(attempt);
            continue;
          }
          // The claim was rolled back with the operation: its own 4xx is kept as a new,
          // completed row (unless another request took the key meanwhile).
          handedOver = true;
          whenFailureSent(response, async (failure) => {
            try {
              if (failure) {
                await this.idempotency.keepCompleted(tenantId, key, fingerprint, failure);
              }
            } finally {
              release();
            }
          });
          throw error;
        }
      }
    } finally {
      if (!handedOver) release();
    }
  }

  /** The handler in the transaction the claim began, then its kept response, then the commit. */
  private async runClaimed(
    context: ExecutionContext,
    next: CallHandler,
    response: ExpressResponse,
    keyed: KeyedRequest,
    scope: TransactionScope,
    token: string,
  ): Promise<unknown> {
    const result = await runInTransactionScope(scope, () =>
      lastValueFrom<unknown, undefined>(next.handle(), { defaultValue: undefined }),
    );
    const kept = this.keptSuccess(context, response, result);
    const stored = await this.idempotency.completeInTransaction(keyed, token, kept, scope.manager);
    if (!stored) throw inUse(); // the claim's row was lost, and another request has the key now
    await this.unitOfWork.commitScope(scope);
    return result;
  }

  /** The lease path (uploads, take-overs): the claim is committed, renewed while it runs. */
  private async runLeased(
    context: ExecutionContext,
    next: CallHandler,
    response: ExpressResponse,
    keyed: KeyedRequest,
    token: string,
  ): Promise<unknown> {
    const { tenantId, key } = keyed;
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
      // The operation's own 4xx is kept on the claimed row; otherwise the key is released.
      whenFailureSent(response, (failure) =>
        failure
          ? this.idempotency.complete(tenantId, key, token, null, failure)
          : this.idempotency.release(tenantId, key, token),
      );
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

  /** The file part's hash, to tell a retried upload from another file under the same key. */
  private hashUpload(request: Request): Promise<string> {
    return receiveFilePart(request, this.config.importMaxBytes, async (file) => {
      const hash = createHash('sha256');
      for await (const chunk of file as AsyncIterable<Buffer>) hash.update(chunk);
      return hash.digest('hex');
    });
  }
}

function backOff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 10));
}
