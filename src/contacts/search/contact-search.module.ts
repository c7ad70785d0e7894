import { Module } from '@nestjs/common';
import { ContactCounters } from '../counts/contact-counters';
import { ContactIndexes } from './contact-indexes';
import { ContactSearchIndex } from './contact-search-index';
import { ContactSearchPlanner } from './contact-search.planner';

/** The substring index and the counters: ContactIndexes for writes, the planner for reads. */
@Module({
  providers: [ContactCounters, ContactSearchIndex, ContactSearchPlanner, ContactIndexes],
  exports: [ContactIndexes, ContactSearchPlanner],
})
export class ContactSearchModule {}
