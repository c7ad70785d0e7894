import {
  ConsoleLogger,
  INestApplication,
  INestApplicationContext,
  LogLevel,
  Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { json } from 'express';
import { AppModule } from './app.module';
import { accessLogMiddleware } from './common/http/access-log.middleware';
import { requestContextMiddleware } from './common/http/request-context';
import { rejectUnsupportedMediaType } from './common/http/media-type.middleware';
import { limitBodyShape } from './common/http/body-shape';
import { AppConfig } from './config/app-config';
import { ProblemResponseDto } from './common/problem/problem-response.dto';
import { gracefulShutdown } from './resilience/graceful-shutdown';
import { requestDeadline } from './resilience/request-deadline.middleware';
import { documentIdempotency } from './idempotency/idempotency.openapi';
import { hashJsonBody } from './idempotency/upload-fingerprint';
import { withReferenceExamples } from './openapi/reference-document';

export const API_TITLE = 'Contacts API';
export const API_VERSION = '1.0.0';

const LEVELS: Record<AppConfig['logLevel'], LogLevel[]> = {
  debug: ['debug', 'log', 'warn', 'error', 'fatal'],
  log: ['log', 'warn', 'error', 'fatal'],
  warn: ['warn', 'error', 'fatal'],
  error: ['error', 'fatal'],
};

export async function createApp(
  config: AppConfig,
  extraModules: Type[] = [],
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config, extraModules),
    {
      logger: new ConsoleLogger({ json: true, logLevels: LEVELS[config.logLevel] }),
      bodyParser: false,
    },
  );
  app.set('x-powered-by', false);
  // ETags are contact versions (src/conditional), not Express's weak hashes of every body.
  app.set('etag', false);
  app.set('query parser', 'extended');
  app.use(requestContextMiddleware, accessLogMiddleware);
  app.use(gracefulShutdown(app, config));
  app.use(rejectUnsupportedMediaType);
  app.use(
    json({
      limit: config.jsonBodyLimitBytes,
      type: ['application/json', 'application/*+json'],
      // Any JSON value parses; a body that is not an object is then a 422, not a parse error.
      strict: false,
      verify: hashJsonBody,
    }),
    limitBodyShape(config.jsonLimits),
  );
  app.use(requestDeadline(config.requestTimeoutMs));
  setupOpenApi(app);
  return app;
}

export async function createWorker(config: AppConfig): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(AppModule.forRoot(config), {
    logger: new ConsoleLogger({ json: true, logLevels: LEVELS[config.logLevel] }),
  });
}

function setupOpenApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(API_TITLE)
      .setVersion(API_VERSION)
      .setDescription(
        'Keep customer profiles, tags, custom fields, and imports in sync. Every error is an ' +
          'RFC 9457 problem document (application/problem+json).',
      )
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearerAuth')
      // Relative: Try it out calls the server that serves the document (paths carry /v1).
      .addServer('/', 'This server')
      // The order Swagger UI shows the groups in: Contacts first, as the reference does.
      .addTag('Contacts', 'Customer profiles, their identities, tags and field values; CSV imports')
      .addTag('Tags', 'Labels attached to contacts')
      .addTag('Contact custom fields', 'Field definitions that hold customer context on contacts')
      .addTag('Property custom fields', 'Field definitions for property records')
      .build(),
    { extraModels: [ProblemResponseDto] },
  );
  documentIdempotency(document);
  // Private code (package.json says UNLICENSED); DocumentBuilder's setLicense would add an empty url.
  document.info.license = { name: 'Proprietary' };
  withReferenceExamples(document);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
