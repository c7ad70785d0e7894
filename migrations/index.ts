import type { MigrationInterface } from 'typeorm';

/** Every migration, in order. Listed explicitly so the built app and the CLI see the same set. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [];
