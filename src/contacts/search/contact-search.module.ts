import { Module } from '@nestjs/common';
import { ContactCounters } from '../counts/contact-counters';
import { ContactIndexes } from './contact-indexes';
import { ContactSearchIndex } from './contact-search-index';
import { ContactSearchPlanner } from './contact-search.planner';
import { SearchWindow } from './search-window';
import { CreationOrderWalk } from './creation-order-walk';
import { ContactSearchPager } from './search-page';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ContactEntity } from '../contact.entity';

/** The substring index and the counters: ContactIndexes for writes, the search pager for reads. */
@Module({
  imports: [TypeOrmModule.forFeature([ContactEntity])],
  providers: [
    ContactCounters,
    ContactSearchIndex,
    ContactSearchPlanner,
    ContactIndexes,
    SearchWindow,
    CreationOrderWalk,
    ContactSearchPager,
  ],
  exports: [ContactIndexes, ContactSearchPager],
})
export class ContactSearchModule {}
