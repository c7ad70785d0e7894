import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';

/** Used by `npm run migration:run` (TypeORM CLI) against the database in DATABASE_URL. */
export default new DataSource({
  ...dataSourceOptions(loadConfig().database),
  migrationsRun: false,
});
