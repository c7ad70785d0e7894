import type { Server } from 'node:http';
import { INestApplicationContext, Logger } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AppConfig } from '../config/app-config';

/** A process still not closed this long after its grace ended exits anyway. */
const CLOSE_LIMIT_MS = 15_000;
const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * Graceful stop on SIGTERM/SIGINT, in place of Nest's shutdown hooks (which close the database
 * while requests are still running): stop accepting connections, let the in-flight requests
 * finish within SHUTDOWN_GRACE_MS (answering each with `Connection: close`), then close the
 * app. Closing hands a running import back to the queue after its last committed batch
 * (ImportRunner, ImportProcessor). Returns the middleware that counts in-flight requests.
 */
export function gracefulShutdown(app: INestApplicationContext, config: AppConfig): RequestHandler {
  const logger = new Logger('Shutdown');
  const inflight = new Set<Response>();
  let draining = false;
  let drained: (() => void) | undefined;

  const middleware = (_request: Request, response: Response, next: NextFunction) => {
    inflight.add(response);
    if (draining) response.setHeader('Connection', 'close');
    const end = () => {
      if (inflight.delete(response) && inflight.size === 0) drained?.();
    };
    response.once('finish', end);
    response.once('close', end);
    next();
  };

  const stop = async (signal: NodeJS.Signals) => {
    if (draining) return;
    draining = true;
    const started = Date.now();
    setTimeout(() => {
      logger.error({ message: 'shutdown took too long: exiting', signal });
      process.exit(1);
    }, config.shutdownGraceMs + CLOSE_LIMIT_MS).unref();
    const server = httpServerOf(app);
    if (server) {
      server.close();
      for (const response of inflight) {
        if (!response.headersSent) response.setHeader('Connection', 'close');
      }
      if (inflight.size > 0) {
        await new Promise<void>((resolve) => {
          drained = resolve;
          setTimeout(resolve, config.shutdownGraceMs).unref();
        });
      }
      if (inflight.size > 0) {
        logger.warn({ message: 'grace period over: closing', inflight: inflight.size });
      }
      server.closeAllConnections();
    }
    logger.log({ message: 'closing', signal, drainedMs: Date.now() - started });
    try {
      await app.close();
    } catch (error) {
      logger.error({ message: 'close failed', error: (error as Error).message });
    }
    for (const name of SIGNALS) process.removeAllListeners(name);
    process.kill(process.pid, signal);
  };
  for (const name of SIGNALS) process.once(name, (signal) => void stop(signal));
  return middleware;
}

function httpServerOf(app: INestApplicationContext): Server | undefined {
  const withServer = app as { getHttpServer?: () => Server };
  return typeof withServer.getHttpServer === 'function' ? withServer.getHttpServer() : undefined;
}
