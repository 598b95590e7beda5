import type { WorkerRepository } from '@resnet-lab/db';
import type { Logger } from '@resnet-lab/logger';
import type { SlotCalibration, TrainerEvent, WorkerSlot } from '@resnet-lab/spec';
import type { Slot } from './slots';

/**
 * What each slot of this worker is doing, as the heartbeat reports it: the backend the trainer
 * chose, the job on it with the progress the trainer reported, and the images/s it measured over
 * the job's last finished epoch. Nothing is estimated: a value the trainer has not reported yet is
 * null.
 */
export class SlotBoard {
  private readonly states: WorkerSlot[];

  constructor(slots: Slot[], forcedBackend?: string) {
    const backend = forcedBackend && forcedBackend !== 'auto' ? forcedBackend : null;
    this.states = slots.map((s) => ({
      index: s.index,
      label: s.label,
      backend,
      job: null,
      imagesPerSecond: null,
      calibration: null,
    }));
  }

  /** What the slot measured at start (calibration.ts); its backend is then known too. */
  calibrated(slot: Slot, calibration: SlotCalibration): void {
    const state = this.state(slot);
    state.calibration = calibration;
    state.backend ??= calibration.backend;
  }

  /** The slot took a job: known so far is its experiment. */
  take(slot: Slot, experimentId: string, now = new Date()): void {
    const state = this.state(slot);
    state.imagesPerSecond = null;
    state.job = {
      experimentId,
      gridId: null,
      epoch: null,
      epochs: null,
      step: null,
      stepsPerEpoch: null,
      progress: null,
      startedAt: now.toISOString(),
    };
  }

  /** The experiment's grid, once looked up (the job payload carries only the experiment id). */
  setGrid(slot: Slot, experimentId: string, gridId: string | null): void {
    const job = this.state(slot).job;
    if (job?.experimentId === experimentId) job.gridId = gridId;
  }

  /** An event of the trainer child running `experimentId` on this slot, whose run has `epochs` epochs. */
  observe(slot: Slot, experimentId: string, epochs: number, event: TrainerEvent): void {
    const state = this.state(slot);
    const job = state.job;
    if (job?.experimentId !== experimentId) return;
    job.epochs = epochs;
    switch (event.type) {
      case 'started':
        state.backend = event.backend;
        return;
      case 'progress':
        job.epoch = event.epoch;
        job.step = event.step;
        job.stepsPerEpoch = event.stepsPerEpoch;
        job.progress = fraction((event.epoch - 1 + event.step / Math.max(1, event.stepsPerEpoch)) / epochs);
        return;
      case 'epoch': {
        job.epoch = event.epoch;
        job.step = null;
        job.stepsPerEpoch = null;
        job.progress = fraction(event.epoch / epochs);
        const measured = event.metrics.find((m) => m.split === 'train' && m.name === 'images_per_second');
        if (measured && Number.isFinite(measured.value)) state.imagesPerSecond = measured.value;
        return;
      }
      default:
        return;
    }
  }

  /** The job left the slot (finished, handed back, failed): idle again; the backend stays known. */
  release(slot: Slot): void {
    const state = this.state(slot);
    state.job = null;
    state.imagesPerSecond = null;
  }

  /** A copy of every slot's state, as stored by a heartbeat. */
  snapshot(): WorkerSlot[] {
    return this.states.map((s) => ({ ...s, job: s.job ? { ...s.job } : null }));
  }

  /** Every slot idle: what a stopped worker leaves behind. */
  idleSnapshot(): WorkerSlot[] {
    return this.states.map((s) => ({ ...s, job: null, imagesPerSecond: null }));
  }

  private state(slot: Slot): WorkerSlot {
    const state = this.states[slot.index];
    if (!state) throw new Error(`unknown slot ${slot.label}`);
    return state;
  }
}

function fraction(value: number): number | null {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : null;
}

export interface HeartbeatOptions {
  workers: WorkerRepository;
  board: SlotBoard;
  id: string;
  name: string;
  host: string;
  pid: number;
  intervalMs: number;
  logger: Logger;
  /** Workers stopped or silent for longer than this are removed (by whichever worker notices). */
  pruneAfterMs?: number;
}

export interface Heartbeat {
  /** Stops beating and marks the worker stopped, with every slot idle. */
  stop(): Promise<void>;
}

/** Prune old workers at start and then about hourly. */
const PRUNE_EVERY_MS = 3600_000;

/**
 * Registers the worker (the first beat, awaited) and then writes its heartbeat every `intervalMs`,
 * measured from the start of the previous one so that a slow write does not stretch the interval.
 * A failed beat is logged and the next one tried on time: a worker cut off from Postgres shows as
 * lost, and as active again once a beat gets through.
 */
export async function startHeartbeat(options: HeartbeatOptions): Promise<Heartbeat> {
  const { workers, board, logger } = options;
  const pruneAfterMs = options.pruneAfterMs ?? 24 * 3600_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let lastPrune = 0;

  const beat = async (): Promise<void> => {
    try {
      await workers.beat({
        id: options.id,
        name: options.name,
        host: options.host,
        pid: options.pid,
        heartbeatMs: options.intervalMs,
        slots: board.snapshot(),
      });
      if (Date.now() - lastPrune >= PRUNE_EVERY_MS) {
        lastPrune = Date.now();
        const pruned = await workers.prune(pruneAfterMs);
        if (pruned > 0) logger.info({ pruned }, 'old stopped or lost workers removed');
      }
    } catch (error) {
      logger.warn({ err: error }, 'heartbeat failed; will try again');
    }
  };

  const schedule = (delayMs: number) => {
    timer = setTimeout(() => {
      const started = Date.now();
      inFlight = beat();
      void inFlight.then(() => {
        if (!stopped) schedule(Math.max(0, options.intervalMs - (Date.now() - started)));
      });
    }, delayMs);
  };

  inFlight = beat();
  await inFlight;
  schedule(options.intervalMs);

  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      await inFlight;
      await workers
        .stop(options.id, board.idleSnapshot())
        .catch((error) => logger.warn({ err: error }, 'could not mark the worker stopped'));
    },
  };
}
