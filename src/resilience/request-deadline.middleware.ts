import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendServiceUnavailable } from './service-unavailable.problem';

interface Deadline {
  expired: boolean;
}

const deadlines = new AsyncLocalStorage<Deadline>();

/**
 * True inside a request that has already been answered 503 for running out of time: its work
 * must not commit anything now (UnitOfWork rolls it back), since the client was told it failed.
 */
export function requestExpired(): boolean {
  return deadlines.getStore()?.expired ?? false;
}

/**
 * No request waits past `timeoutMs`: a handler stuck on a database or Redis that stopped
 * answering gets a 503 instead of a hang. An upload still arriving is not stuck: while bytes
 * keep coming in, its deadline is pushed back by another `timeoutMs`. Answering closes the
 * connection and drops the rest of the body, so a handler that resumes later finds its request
 * gone (an upload then deletes what it stored).
 */
export function requestDeadline(timeoutMs: number): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    const deadline: Deadline = { expired: false };
    let bytesSeen = request.socket.bytesRead;
    let timer: NodeJS.Timeout;
    const arm = () => {
      timer = setTimeout(() => {
        const bytesNow = request.socket.bytesRead;
        if (!request.complete && bytesNow > bytesSeen) {
          bytesSeen = bytesNow;
          arm();
          return;
        }
        if (response.headersSent) return;
        deadline.expired = true;
        response.setHeader('Connection', 'close');
        sendServiceUnavailable(
          request,
          response,
          `The request did not complete within ${timeoutMs} ms. Retry in a few seconds.`,
        );
        response.once('finish', () => request.destroy());
      }, timeoutMs);
      timer.unref();
    };
    arm();
    const clear = () => clearTimeout(timer);
    response.once('finish', clear);
    response.once('close', clear);
    deadlines.run(deadline, next);
  };
}
