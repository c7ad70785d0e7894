import { Module } from '@nestjs/common';
import { TagCounters } from './tag-counters';

/** The maintained labeled counts of GET /v1/tags: TagCounters for writes and reads. */
@Module({
  providers: [TagCounters],
  exports: [TagCounters],
})
export class TagCountsModule {}
