import type { MigrationInterface } from 'typeorm';
import { CreateContactsSchema1795800000000 } from './1795800000000-create-contacts-schema';
import { CreateImports1795900000000 } from './1795900000000-create-imports';
import { OrderFilterIndexesByContactCreated1796000000000 } from './1796000000000-order-filter-indexes-by-contact-created';
import { CreateSearchIndexAndCounts1796100000000 } from './1796100000000-create-search-index-and-counts';
import { BackfillSearchIndexAndCounts1796100000001 } from './1796100000001-backfill-search-index-and-counts';
import { IdempotencyKeysAndContactVersion1796200000000 } from './1796200000000-idempotency-keys-and-contact-version';
import { CreateContactEvents1796300000000 } from './1796300000000-create-contact-events';
import { AddImportDispatch1796450000000 } from './1796450000000-add-import-dispatch';
import { CreateAndBackfillTagCounts1796500000000 } from './1796500000000-create-and-backfill-tag-counts';
import { RecordSearchKeyOrder1796600000000 } from './1796600000000-record-search-key-order';
import { IndexDigitRuns1796700000000 } from './1796700000000-index-digit-runs';

/** Every migration, in order. Listed explicitly so the built app and the CLI see the same set. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [
  CreateContactsSchema1795800000000,
  CreateImports1795900000000,
  OrderFilterIndexesByContactCreated1796000000000,
  CreateSearchIndexAndCounts1796100000000,
  BackfillSearchIndexAndCounts1796100000001,
  IdempotencyKeysAndContactVersion1796200000000,
  CreateContactEvents1796300000000,
  AddImportDispatch1796450000000,
  CreateAndBackfillTagCounts1796500000000,
  RecordSearchKeyOrder1796600000000,
  IndexDigitRuns1796700000000,
];
