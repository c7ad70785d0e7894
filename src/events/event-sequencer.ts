import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { UnitOfWork } from '../database/unit-of-work';
import { EventsRepository } from './events.repository';

/** Events positioned per sequencer transaction. */
const SEQUENCE_BATCH = 1000;
/** Pause between passes when there is nothing to do. */
const IDLE_MS = 100;
const SWEEP_BATCH = 1000;

/**
 * Called inside the sequencer's transaction with the events it just positioned; may return
 * work to run once that transaction has committed (never inside it).
 */
export type PositionedListener = (
  manager: EntityManager,
  seqs: number[],
) => Promise<(() => void) | undefined>;

/**
 * Commit order for the outbox: the classic trap is that an auto-increment id is handed out at
 * INSERT, not at COMMIT, so a reader that has passed id N can still see N-1 commit later and
 * miss it. Writers therefore insert events without a position. This sequencer, in its own
 * transaction, locks the one `event_sequencer` row (SELECT … FOR UPDATE, so one sequencer runs
 * at a time across all worker processes), reads the unpositioned rows its snapshot can see,
 * which are committed ones only, and numbers them after the last position. The feed serves
 * positioned rows only, up to the head stored in the same row, so a position once seen is
 * never followed by a smaller one. A transaction held open simply gets its position later.
 * On SQLite transactions are serialized by UnitOfWork, and the same code runs unchanged.
 *
 * Events of one contact come from transactions serialized by the contact's row, so their
 * seqs, and hence their positions, follow their commits. The loop also runs the retention sweep.
 */
@Injectable()
export class EventSequencer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(EventSequencer.name);
  private readonly listeners: PositionedListener[] = [];
  private running: Promise<void> | undefined;
  private stopping = false;
  private lastSweep = 0;

  constructor(
    private readonly events: EventsRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly config: AppConfig,
  ) {}

  /** Work to do in the same transaction as the positioning (webhook fan-out). */
  onPositioned(listener: PositionedListener): void {
    this.listeners.push(listener);
  }

  onApplicationBootstrap(): void {
    if (this.config.runsWorker) this.running = this.loop();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  /** Positions one batch of committed events; returns how many. */
  async sequenceOnce(): Promise<number> {
    if (!(await this.events.hasBacklog())) return 0;
    let afterCommit: (() => void)[] = [];
    const positioned = await this.unitOfWork.run(async (manager) => {
      afterCommit = []; // a transaction run again (deadlock) starts over
      const { state, seqs } = await this.events.lockBacklog(manager, SEQUENCE_BATCH);
      if (seqs.length === 0) return 0;
      await this.events.assignPositions(manager, seqs, state.lastPosition);
      for (const listener of this.listeners) {
        const after = await listener(manager, seqs);
        if (after) afterCommit.push(after);
      }
      return seqs.length;
    });
    for (const after of afterCommit) after();
    return positioned;
  }

  /** Deletes events past the retention, a batch per transaction. */
  async sweepOnce(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.config.eventRetentionDays * 86_400_000);
    let total = 0;
    for (;;) {
      const swept = await this.unitOfWork.run((manager) =>
        this.events.sweep(manager, before, SWEEP_BATCH),
      );
      total += swept;
      if (swept < SWEEP_BATCH || this.stopping) return total;
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let positioned = 0;
      try {
        positioned = await this.sequenceOnce();
        if (Date.now() - this.lastSweep >= this.config.eventSweepIntervalSeconds * 1000) {
          this.lastSweep = Date.now();
          const swept = await this.sweepOnce();
          if (swept > 0) this.logger.log({ message: 'events swept', count: swept });
        }
      } catch (error) {
        // The database may be away for a while: try again on the next turn.
        this.logger.warn({
          message: 'event sequencer pass failed',
          error: (error as Error).message,
        });
      }
      if (positioned < SEQUENCE_BATCH) await new Promise((r) => setTimeout(r, IDLE_MS));
    }
  }
}
