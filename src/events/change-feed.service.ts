import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '../database/unit-of-work';
import { ContactEvent } from './contact-events';
import { CursorExpired, EventCursorCodec } from './event-cursor';
import { EventsRepository } from './events.repository';

export interface ChangePage {
  events: ContactEvent[];
  nextCursor: string;
}

/** GET /v1/contacts/changes: a tenant's events in commit (position) order. */
@Injectable()
export class ChangeFeedService {
  constructor(
    private readonly events: EventsRepository,
    private readonly cursors: EventCursorCodec,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async page(tenantId: string, after: string | undefined, pageSize: number): Promise<ChangePage> {
    const requested = after === undefined ? undefined : this.cursors.decode(tenantId, after);
    // One transaction: the head and the events are read from one snapshot, so every position
    // up to the head is there to be read (the sequencer commits positions and head together).
    return this.unitOfWork.run(async (manager) => {
      const { lastPosition: head, sweptThrough } = await this.events.sequencerState(manager);
      if (requested !== undefined && requested < sweptThrough) throw new CursorExpired();
      const from = requested ?? sweptThrough;
      const page = await this.events.page(manager, tenantId, from, head, pageSize);
      // A short page read everything up to the head: the cursor moves there, so a quiet
      // tenant's cursor keeps up with the global position and does not age out.
      const next =
        page.events.length === pageSize && page.lastPosition !== undefined
          ? page.lastPosition
          : Math.max(head, from);
      return { events: page.events, nextCursor: this.cursors.encode(tenantId, next) };
    });
  }
}
