import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp, createWorker } from './app.setup';
import { issueDevelopmentToken } from './auth/token-issuer';
import { ConfigError, loadConfig } from './config/app-config';
import { gracefulShutdown } from './resilience/graceful-shutdown';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  if (!config.runsApi) {
    // A worker-only process: no HTTP, it runs queued imports until told to stop.
    const worker = await createWorker(config);
    new Logger('Bootstrap').log({ message: 'worker started', processRole: config.processRole });
    gracefulShutdown(worker, config);
    return;
  }
  const app = await createApp(config);
  await app.listen(config.port);
  const url = (await app.getUrl()).replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
  const logger = new Logger('Bootstrap');
  logger.log({
    message: 'listening',
    url,
    database: config.database.type,
    processRole: config.processRole,
  });

  if (config.jwt.usingDevelopmentSecret) {
    // Plain text on purpose: this is for a person trying the API, not for log collectors.
    const token = issueDevelopmentToken(config);
    process.stdout.write(
      [
        '',
        `Contacts API is running on ${url} (embedded ${config.database.type} database).`,
        `Swagger UI:  ${url}/docs`,
        'Development token (role admin, every scope, tenant tn_development, 12 h):',
        token,
        'Another token: npm run token -- --role agent --tenant tn_other',
        '',
      ].join('\n') + '\n',
    );
  }
}

void bootstrap();
