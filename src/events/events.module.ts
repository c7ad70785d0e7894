import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { setOutboxEnabled } from './contact-events';
import { ChangeFeedController } from './change-feed.controller';
import { ChangeFeedService } from './change-feed.service';
import { EventCursorCodec } from './event-cursor';
import { EventSequencer } from './event-sequencer';
import { EventsRepository } from './events.repository';

/**
 * The event outbox (writes: contact-events.ts, called in each write's transaction), its
 * sequencer and retention sweep (worker processes), and the change feed.
 */
@Global()
@Module({
  controllers: [ChangeFeedController],
  providers: [EventsRepository, EventCursorCodec, ChangeFeedService, EventSequencer],
  exports: [EventsRepository, EventSequencer],
})
export class EventsModule {
  constructor(config: AppConfig) {
    setOutboxEnabled(config.eventOutbox === 'on');
  }
}
