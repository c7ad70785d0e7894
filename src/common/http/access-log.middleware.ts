import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { requestContextOf } from './request-context';

const logger = new Logger('HTTP');

/** One structured log line per request, carrying the request and trace ids. */
export function accessLogMiddleware(request: Request, response: Response, next: NextFunction) {
  const started = process.hrtime.bigint();
  response.on('finish', () => {
    const { requestId, traceId } = requestContextOf(request);
    logger.log({
      message: 'request',
      requestId,
      traceId,
      method: request.method,
      path: request.originalUrl.split('?')[0],
      status: response.statusCode,
      durationMs: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
    });
  });
  next();
}
