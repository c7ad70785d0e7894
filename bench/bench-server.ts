import 'reflect-metadata';
import { createApp } from '../src/app.setup';
import { loadConfig } from '../src/config/app-config';
import { BaselineModule } from './baseline.module';

/** The service plus one in-memory route, started by the benchmark only. */
async function main() {
  const config = loadConfig();
  const app = await createApp(config, [BaselineModule]);
  await app.listen(config.port, '127.0.0.1');
}

void main();
