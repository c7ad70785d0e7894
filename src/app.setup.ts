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
import { AppConfig } from './config/app-config';
import { ProblemResponseDto } from './common/problem/problem-response.dto';
import { gracefulShutdown } from './resilience/graceful-shutdown';
import { requestDeadline } from './resilience/request-deadline.middleware';

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
    }),
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
      .build(),
    { extraModels: [ProblemResponseDto] },
  );
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
