// Model-based: random sequences of what users and workers do to a grid (pause, resume, cancel,
// retry; claim, succeed, fail, stop on cancel, hand back, a stale attempt writing late, the queue
// giving up) run against the real repositories on PostgreSQL and against a small model of the
// expected states. After every step the rows must equal the model, and every refusal must be one
// the model expects.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  expandGrid,
  GRID_TRANSITIONS,
  GridDefinition,
  IllegalTransitionError,
  nextExperimentStatus,
  nextGridStatus,
  type ExperimentStatus,
  type GridEvent,
  type GridStatus,
} from '@resnet-lab/spec';
import { useTestRepositories } from '@resnet-lab/testing';
import { LeaseLostError } from '../src/index';

const fixture = useTestRepositories();

const MEMBERS = 3;

interface Member {
  status: ExperimentStatus;
  cancelRequested: boolean;
  /** Leases taken so far (the row's attempts). */
  attempts: number;
  /** The lease of the newest attempt a worker holds, and of the one before (a stale worker). */
  held: number | null;
  stale: number | null;
}

interface Model {
  grid: GridStatus;
  members: Member[];
}

interface Real {
  gridId: string;
  ids: string[];
}

/** A refusal the repositories signal: an illegal transition, or a write of a superseded attempt. */
async function refused(action: () => Promise<unknown>): Promise<boolean> {
  try {
    await action();
    return false;
  } catch (error) {
    if (error instanceof IllegalTransitionError || error instanceof LeaseLostError) return true;
    throw error;
  }
}

class GridCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly event: GridEvent) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    // Asking for the state the grid is already in is a no-op, not an error (except retry, which
    // always re-queues failed experiments); its side effects on experiments still apply.
    const already = this.event !== 'retry' && m.grid === GRID_TRANSITIONS[this.event].to;
    const next = already ? m.grid : nextGridStatus(m.grid, this.event);
    const refusedNow = await refused(() => fixture.repos.grids[this.event](r.gridId));
    expect(refusedNow, `${this.event} from ${m.grid}`).toBe(next === null);
    if (next === null) return;
    const before = m.grid;
    m.grid = next;
    for (const e of m.members) {
      if (this.event === 'cancel') {
        if (e.status === 'queued') Object.assign(e, { status: 'cancelled', cancelRequested: true });
        else if (e.status === 'running') e.cancelRequested = true;
      }
      const retried =
        this.event === 'retry' ? 'failed' : this.event === 'resume' && before === 'cancelled' ? 'cancelled' : null;
      if (e.status === retried) Object.assign(e, { status: 'queued', cancelRequested: false });
    }
  }
  toString = () => `grid ${this.event}`;
}

class ClaimCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly i: number) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const e = m.members[this.i]!;
    const claimable = nextExperimentStatus(e.status, 'claim') !== null && !e.cancelRequested && m.grid === 'active';
    const claim = await fixture.repos.experiments.claim(r.ids[this.i]!, 'model-worker');
    expect(claim !== null, `claim of a ${e.status} experiment in a ${m.grid} grid`).toBe(claimable);
    if (!claim) return;
    e.attempts += 1;
    expect(claim.lease.lease).toBe(e.attempts);
    Object.assign(e, { status: 'running', stale: e.held, held: e.attempts });
  }
  toString = () => `claim ${this.i}`;
}

type AttemptEnd = 'succeed' | 'fail' | 'stopCancelled' | 'requeue';

/** The worker holding the newest lease (or, with `stale`, the one before) ends its attempt. */
class EndCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly i: number,
    readonly end: AttemptEnd,
    readonly stale: boolean,
  ) {}
  check = (m: Readonly<Model>) => (this.stale ? m.members[this.i]!.stale : m.members[this.i]!.held) !== null;
  async run(m: Model, r: Real): Promise<void> {
    const e = m.members[this.i]!;
    const lease = { experimentId: r.ids[this.i]!, lease: (this.stale ? e.stale : e.held)! };
    // Only the current attempt of a running experiment may end it.
    const allowed = e.status === 'running' && lease.lease === e.attempts;
    const refusedNow = await refused(() =>
      this.end === 'requeue'
        ? fixture.repos.experiments.requeue(lease, 'handed back')
        : fixture.repos.experiments.finish(lease, this.end),
    );
    expect(refusedNow, `${this.end} with lease ${lease.lease} of ${e.attempts}, ${e.status}`).toBe(!allowed);
    if (!allowed) return;
    e.status = nextExperimentStatus(e.status, this.end)!;
    e.held = null;
  }
  toString = () => `${this.stale ? 'stale ' : ''}${this.end} ${this.i}`;
}

/** The queue gives up on the job: a waiting or running row fails; an ended one stays as it is. */
class AbandonCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly i: number) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const e = m.members[this.i]!;
    await fixture.repos.experiments.abandon(r.ids[this.i]!, 'stalled too often');
    const next = nextExperimentStatus(e.status, 'abandon');
    if (next) e.status = next;
  }
  toString = () => `abandon ${this.i}`;
}

async function expectRowsMatch(m: Model, r: Real): Promise<void> {
  const grid = await fixture.database.db.grid.findUniqueOrThrow({ where: { id: r.gridId } });
  expect(grid.status).toBe(m.grid);
  for (const [i, id] of r.ids.entries()) {
    const row = await fixture.database.db.experiment.findUniqueOrThrow({ where: { id } });
    const e = m.members[i]!;
    expect({ i, status: row.status, cancelRequested: row.cancelRequested, attempts: row.attempts }).toEqual({
      i,
      status: e.status,
      cancelRequested: e.cancelRequested,
      attempts: e.attempts,
    });
  }
}

const member = fc.integer({ min: 0, max: MEMBERS - 1 });
const commands = [
  fc.constantFrom<GridEvent>('pause', 'resume', 'cancel', 'retry').map((e) => new GridCommand(e)),
  member.map((i) => new ClaimCommand(i)),
  member.map((i) => new ClaimCommand(i)),
  fc
    .tuple(member, fc.constantFrom<AttemptEnd>('succeed', 'fail', 'stopCancelled', 'requeue'), fc.boolean())
    .map(([i, end, stale]) => new EndCommand(i, end, stale)),
  member.map((i) => new AbandonCommand(i)),
];

async function newGrid(): Promise<Real> {
  const expansion = expandGrid(
    GridDefinition.parse({
      base: {
        architecture: { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25 },
        dataset: { name: 'synthetic', trainSize: 32, testSize: 16, imageSize: 8, classes: 2 },
        training: { epochs: 1, batchSize: 16 },
      },
      axes: { 'training.seed': Array.from({ length: MEMBERS }, (_, i) => i) },
    }),
    { maxExperiments: MEMBERS },
  );
  const { grid } = await fixture.repos.grids.create({
    definition: {},
    axes: expansion.axes,
    priority: 0,
    points: expansion.points.map((p) => ({ ...p })),
  });
  const members = await fixture.repos.grids.members(grid.id);
  return { gridId: grid.id, ids: members.map((x) => x.experimentId) };
}

describe('the experiment and grid lifecycle against a model', () => {
  it('keeps the rows equal to the model over random sequences of user and worker actions', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 40, size: 'large' }), async (cmds) => {
        const real = await newGrid();
        const model: Model = {
          grid: 'active',
          members: Array.from({ length: MEMBERS }, () => ({
            status: 'queued' as const,
            cancelRequested: false,
            attempts: 0,
            held: null,
            stale: null,
          })),
        };
        await fc.asyncModelRun(
          () => ({ model, real }),
          // After every command, not only at the end: a wrong intermediate state fails at its step.
          [...cmds].map((c) => ({
            check: (m: Readonly<Model>) => c.check(m),
            run: async (m: Model, r: Real) => {
              await c.run(m, r);
              await expectRowsMatch(m, r);
            },
            toString: () => c.toString(),
          })),
        );
      }),
      { numRuns: 40, seed: 20261201 },
    );
  });
});
