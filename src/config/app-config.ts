import { readFileSync } from 'node:fs';

export type DatabaseConfig =
  { type: 'sqlite'; path: string; url: string } | { type: 'mysql'; url: string };

export type JwtAlgorithm = 'HS256' | 'RS256' | 'ES256';

export interface JwtConfig {
  /** Secret (HS256) or PEM public key (RS256/ES256) used to verify tokens. */
  verificationKey: string;
  /** Only these algorithms are accepted; everything else (including `none`) is rejected. */
  algorithms: JwtAlgorithm[];
  issuer?: string;
  audience?: string;
  /** True when no JWT configuration was given and a development secret is in use. */
  usingDevelopmentSecret: boolean;
}

/** Which parts of the service this process runs (see README, "Processes"). */
export type ProcessRole = 'all' | 'api' | 'worker';

/**
 * Typed, validated configuration. Built once at start from the environment; a bad value stops
 * the start with a message naming the variable.
 */
export class AppConfig {
  readonly nodeEnv!: string;
  readonly port!: number;
  readonly database!: DatabaseConfig;
  readonly redisUrl?: string;
  readonly jwt!: JwtConfig;
  /** HMAC key for page tokens. */
  readonly pageTokenSecret!: string;
  readonly importMaxBytes!: number;
  readonly jsonBodyLimitBytes!: number;
  /** Shape limits of a parsed JSON body, checked before validation (src/common/http/body-shape.ts). */
  readonly jsonLimits!: { maxDepth: number; maxArrayLength: number; maxKeys: number };
  /** Per-tenant budgets per minute (src/rate-limit); 0 turns limiting off. */
  readonly rateLimit!: { perMinute: number; searchPerMinute: number };
  readonly processRole!: ProcessRole;
  /** Above this many matches a contact-list filter counts as dense (ContactsRepository.list). */
  readonly listCandidateLimit!: number;
  readonly logLevel!: 'debug' | 'log' | 'warn' | 'error';
  /** How long an Idempotency-Key's response is kept. */
  readonly idempotencyTtlSeconds!: number;
  /** Prometheus metrics on /metrics (METRICS_ENABLED, default on). */
  readonly metricsEnabled!: boolean;
  /** OTLP/HTTP collector; traces are exported only when set (src/tracing). */
  readonly otlpEndpoint?: string;
  /** Change-feed events older than this are swept; a cursor from before them gets 410. */
  readonly eventRetentionDays!: number;
  readonly eventSweepIntervalSeconds!: number;
  /** `off` writes no events at all: for the benchmark's with/without comparison only. */
  readonly eventOutbox!: 'on' | 'off';
  /** No request waits longer: past it the answer is a 503 (src/resilience). */
  readonly requestTimeoutMs!: number;
  /** After SIGTERM, in-flight requests get this long to finish (src/resilience). */
  readonly shutdownGraceMs!: number;
  /** How often imports stored while Redis was away are put on the queue. */
  readonly importDispatchSweepMs!: number;
  /** Prefix of the Bull keys: deployments sharing one Redis keep their queues apart. */
  readonly queuePrefix!: string;
  /** How often workers enqueue due webhook deliveries whose job was lost (src/webhooks). */
  readonly webhookSweepMs!: number;

  get isProduction(): boolean {
    return this.nodeEnv === 'production';
  }

  get runsApi(): boolean {
    return this.processRole !== 'worker';
  }

  get runsWorker(): boolean {
    return this.processRole !== 'api';
  }

  constructor(values: Omit<AppConfig, 'isProduction' | 'runsApi' | 'runsWorker'>) {
    Object.assign(this, values);
  }
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid configuration: ${variable} ${message}`);
  }
}

/** Well known, obviously-not-secret development key; refused in production. */
export const DEVELOPMENT_JWT_SECRET = 'contacts-api-development-secret-do-not-use-in-production';
export const DEFAULT_DATABASE_URL = 'sqlite:./data/contacts.sqlite';

type Env = Record<string, string | undefined>;

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `must be an integer between ${min} and ${max} (got "${raw}")`);
  }
  return Number(raw);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')} (got "${raw}")`);
  }
  return raw as T;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = optional(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['true', '1', 'on', 'yes'].includes(raw)) return true;
  if (['false', '0', 'off', 'no'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false (got "${raw}")`);
}

function httpUrl(env: Env, name: string): string | undefined {
  const raw = optional(env, name);
  if (raw === undefined) return undefined;
  if (!/^https?:\/\/[^/]/.test(raw) || !URL.canParse(raw)) {
    throw new ConfigError(name, `must be an http:// or https:// URL (got "${raw}")`);
  }
  return raw;
}

function parseDatabaseUrl(raw: string): DatabaseConfig {
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length).replace(/^\/\//, '');
    if (path === '') throw new ConfigError('DATABASE_URL', 'sqlite: URL needs a file path');
    return { type: 'sqlite', path, url: raw };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('DATABASE_URL', 'must be a mysql:// URL or sqlite:<path>');
  }
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
    throw new ConfigError('DATABASE_URL', `has unsupported scheme "${url.protocol}"`);
  }
  if (url.pathname.length <= 1) {
    throw new ConfigError('DATABASE_URL', 'must name a database (mysql://user:pass@host/db)');
  }
  return { type: 'mysql', url: raw.replace(/^mariadb:/, 'mysql:') };
}

function parseRedisUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new Error();
  } catch {
    throw new ConfigError('REDIS_URL', `must be a redis:// URL (got "${raw}")`);
  }
  return raw;
}

function parseQueuePrefix(raw: string | undefined): string {
  if (raw === undefined) return 'bull';
  if (!/^[\w.-]{1,64}$/.test(raw)) {
    throw new ConfigError('QUEUE_PREFIX', `must be 1-64 letters, digits, _ . or - (got "${raw}")`);
  }
  return raw;
}

function readPem(env: Env): string | undefined {
  const raw = optional(env, 'JWT_PUBLIC_KEY');
  if (raw === undefined) return undefined;
  // Accept the PEM inline (with literal "\n" escapes, as env files often hold it) or a file path.
  const pem = raw.includes('-----BEGIN') ? raw.replace(/\\n/g, '\n') : safeRead(raw);
  if (!pem.includes('-----BEGIN')) {
    throw new ConfigError('JWT_PUBLIC_KEY', 'must be a PEM public key or the path of one');
  }
  return pem;
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError('JWT_PUBLIC_KEY', `is neither a PEM key nor a readable file ("${path}")`);
  }
}

function parseJwt(env: Env, isProduction: boolean): JwtConfig {
  const secret = optional(env, 'JWT_SECRET');
  const publicKey = readPem(env);
  const issuer = optional(env, 'JWT_ISSUER');
  const audience = optional(env, 'JWT_AUDIENCE');
  if (secret && publicKey) {
    throw new ConfigError('JWT_SECRET', 'and JWT_PUBLIC_KEY are exclusive; set only one');
  }
  if (publicKey) {
    const algorithm = oneOf(env, 'JWT_ALGORITHM', ['RS256', 'ES256'] as const, 'RS256');
    return {
      verificationKey: publicKey,
      algorithms: [algorithm],
      issuer,
      audience,
      usingDevelopmentSecret: false,
    };
  }
  if (secret) {
    if (secret.length < 32) throw new ConfigError('JWT_SECRET', 'must be at least 32 characters');
    return {
      verificationKey: secret,
      algorithms: ['HS256'],
      issuer,
      audience,
      usingDevelopmentSecret: false,
    };
  }
  if (isProduction) {
    throw new ConfigError('JWT_SECRET', 'or JWT_PUBLIC_KEY is required when NODE_ENV=production');
  }
  return {
    verificationKey: DEVELOPMENT_JWT_SECRET,
    algorithms: ['HS256'],
    issuer,
    audience,
    usingDevelopmentSecret: true,
  };
}

export function loadConfig(env: Env = process.env): AppConfig {
  const nodeEnv = optional(env, 'NODE_ENV') ?? 'development';
  const isProduction = nodeEnv === 'production';
  const jwt = parseJwt(env, isProduction);
  const pageTokenSecret =
    optional(env, 'PAGE_TOKEN_SECRET') ??
    (jwt.algorithms[0] === 'HS256' && !jwt.usingDevelopmentSecret
      ? jwt.verificationKey
      : undefined);
  if (pageTokenSecret === undefined && isProduction) {
    throw new ConfigError('PAGE_TOKEN_SECRET', 'is required in production with JWT_PUBLIC_KEY');
  }
  const processRole = oneOf(env, 'PROCESS_ROLE', ['all', 'api', 'worker'] as const, 'all');
  const redisUrl = parseRedisUrl(optional(env, 'REDIS_URL'));
  if (processRole !== 'all' && !redisUrl) {
    throw new ConfigError(
      'PROCESS_ROLE',
      `=${processRole} needs REDIS_URL: without Redis the API process runs the imports itself`,
    );
  }
  return new AppConfig({
    nodeEnv,
    port: integer(env, 'PORT', 3000, 0, 65535),
    database: parseDatabaseUrl(optional(env, 'DATABASE_URL') ?? DEFAULT_DATABASE_URL),
    redisUrl,
    jwt,
    pageTokenSecret: pageTokenSecret ?? DEVELOPMENT_JWT_SECRET,
    importMaxBytes: integer(env, 'IMPORT_MAX_BYTES', 100 * 1024 * 1024, 1, 10 * 1024 ** 3),
    jsonBodyLimitBytes: integer(env, 'JSON_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 100 * 1024 ** 2),
    jsonLimits: {
      maxDepth: integer(env, 'JSON_MAX_DEPTH', 32, 2, 1000),
      maxArrayLength: integer(env, 'JSON_MAX_ARRAY_LENGTH', 1000, 1, 1_000_000),
      maxKeys: integer(env, 'JSON_MAX_KEYS', 1000, 1, 1_000_000),
    },
    rateLimit: {
      perMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 6000, 0, 100_000_000),
      searchPerMinute: integer(env, 'RATE_LIMIT_SEARCH_PER_MINUTE', 600, 0, 100_000_000),
    },
    processRole,
    listCandidateLimit: integer(env, 'LIST_CANDIDATE_LIMIT', 2000, 0, 20000),
    logLevel: oneOf(env, 'LOG_LEVEL', ['debug', 'log', 'warn', 'error'] as const, 'log'),
    idempotencyTtlSeconds: integer(env, 'IDEMPOTENCY_TTL_SECONDS', 86400, 1, 30 * 86400),
    metricsEnabled: flag(env, 'METRICS_ENABLED', true),
    otlpEndpoint: httpUrl(env, 'OTEL_EXPORTER_OTLP_ENDPOINT'),
    eventRetentionDays: integer(env, 'EVENT_RETENTION_DAYS', 30, 1, 3650),
    eventSweepIntervalSeconds: integer(env, 'EVENT_SWEEP_INTERVAL_SECONDS', 300, 1, 86400),
    eventOutbox: oneOf(env, 'EVENT_OUTBOX', ['on', 'off'] as const, 'on'),
    requestTimeoutMs: integer(env, 'REQUEST_TIMEOUT_MS', 10_000, 500, 600_000),
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    importDispatchSweepMs: integer(env, 'IMPORT_DISPATCH_SWEEP_MS', 5000, 100, 3_600_000),
    queuePrefix: parseQueuePrefix(optional(env, 'QUEUE_PREFIX')),
    webhookSweepMs: integer(env, 'WEBHOOK_SWEEP_MS', 5000, 100, 3_600_000),
  });
}
