import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/app-config';
import { issueDevelopmentToken } from './token-issuer';

const usage = `Usage: npm run token -- [--role owner|admin|agent] [--tenant tn_x] [--user usr_x]
                      [--scopes "contact:list tag:list"] [--expires-in 3600]
Prints a JWT signed with the configured JWT_SECRET (or the development secret).
Defaults: role admin, tenant tn_development, every scope, 12 hours.`;

function main(): void {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      tenant: { type: 'string' },
      user: { type: 'string' },
      scopes: { type: 'string' },
      'expires-in': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const expiresIn = values['expires-in'];
  if (expiresIn !== undefined && !/^\d+$/.test(expiresIn)) {
    throw new Error('--expires-in takes a number of seconds');
  }
  const token = issueDevelopmentToken(loadConfig(), {
    role: values.role,
    tenantId: values.tenant,
    userId: values.user,
    scopes: values.scopes?.split(/[\s,]+/).filter(Boolean),
    expiresInSeconds: expiresIn === undefined ? undefined : Number(expiresIn),
  });
  console.log(token);
}

try {
  main();
} catch (error) {
  console.error(
    error instanceof ConfigError ? error.message : `${(error as Error).message}\n\n${usage}`,
  );
  process.exit(1);
}
