// `npx tsx scripts/bench-shared-cores.ts [--rounds N] [--steps N]`: the trainer's real loop as the
// worker runs it (its trainer child on the native engine, a CPU slot's environment, OMP_WAIT_POLICY
// PASSIVE) alone and beside a CPU co-tenant (one busy process per core), with two thread choices:
// `fixed`, one thread per core (TRAINER_THREADS set to the core count), and `auto`, the worker's
// default (thread-choice.ts: as many threads as there are idle cores when the attempt starts; the
// co-tenant is started first, as a job meets it). The four cases are interleaved in every round,
// the order alternating, so that the host's own noise falls on all of them alike; each ratio is
// taken per round, then median and range. Writes its marked section of BENCHMARKS.md.
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { threadsForAttempt } from '../apps/worker/src/thread-choice';
import { trainerChildSpeed } from './trainer-child-case';
import { writeMarkedSection } from './benchmarks-file';

const START = '<!-- shared-cores-bench:start -->';
const END = '<!-- shared-cores-bench:end -->';

type Choice = 'fixed' | 'auto';
type Case = { choice: Choice; contended: boolean };

/**
 * One busy-looping process per core: a co-tenant that wants every core all the time. Each checks
 * every 200 ms that this script still runs, so an interrupted benchmark leaves none behind.
 */
function startBurners(): ChildProcess[] {
  const burn = `for (;;) { const t = Date.now(); while (Date.now() - t < 200); process.kill(${process.pid}, 0); }`;
  return os.cpus().map(() => spawn(process.execPath, ['-e', burn], { stdio: 'ignore' }));
}

async function runCase(c: Case, steps: number): Promise<{ imagesPerSecond: number; threads: number }> {
  const cores = os.availableParallelism();
  const burners = c.contended ? startBurners() : [];
  try {
    // Let the co-tenant get going before the slot looks at the idle cores.
    if (c.contended) await new Promise((resolve) => setTimeout(resolve, 1_000));
    const threads = (await threadsForAttempt({ max: cores, auto: c.choice === 'auto' })).count;
    const env = { OMP_NUM_THREADS: String(threads), OMP_WAIT_POLICY: 'PASSIVE' };
    return { imagesPerSecond: await trainerChildSpeed(steps, env), threads };
  } finally {
    for (const b of burners) b.kill('SIGKILL');
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const range = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;

async function main() {
  const { values } = parseArgs({
    options: { rounds: { type: 'string', default: '3' }, steps: { type: 'string', default: '15' } },
  });
  const rounds = Number(values.rounds);
  const steps = Number(values.steps);
  const cases: Case[] = [
    { choice: 'fixed', contended: false },
    { choice: 'auto', contended: false },
    { choice: 'fixed', contended: true },
    { choice: 'auto', contended: true },
  ];
  const key = (c: Case) => `${c.choice}/${c.contended ? 'contended' : 'quiet'}`;
  const speeds = new Map<string, number[]>();
  const threads = new Map<string, number[]>();
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? cases : [...cases].reverse();
    for (const c of order) {
      const result = await runCase(c, steps);
      speeds.set(key(c), [...(speeds.get(key(c)) ?? []), result.imagesPerSecond]);
      threads.set(key(c), [...(threads.get(key(c)) ?? []), result.threads]);
      console.log(`round ${r + 1} ${key(c)}: ${result.imagesPerSecond.toFixed(1)} img/s, ${result.threads} threads`);
    }
  }
  const per = (k: string) => speeds.get(k)!;
  const ratios = (a: string, b: string) => per(a).map((x, i) => x / per(b)[i]!);
  const rows = [
    ['auto: contended / quiet', ratios('auto/contended', 'auto/quiet')],
    ['fixed: contended / quiet', ratios('fixed/contended', 'fixed/quiet')],
    ['auto / fixed, quiet', ratios('auto/quiet', 'fixed/quiet')],
    ['auto / fixed, contended', ratios('auto/contended', 'fixed/contended')],
  ] as const;
  const cores = os.availableParallelism();
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const section = [
    START,
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cores} cores (${cpu}) by`,
    `\`npx tsx scripts/bench-shared-cores.ts --rounds ${rounds} --steps ${steps}\`: the real training loop in`,
    "the worker's trainer child (plain-20, 28x28x1 images, batch 128, native engine, OMP_WAIT_POLICY=PASSIVE;",
    `second epoch of ${steps} steps), alone and beside one busy process per core, with \`fixed\` threads`,
    `(${cores}, one per core) and \`auto\` (the worker's default: the idle cores when the attempt starts);`,
    `${rounds} rounds, the four cases interleaved in each. Ratios are per round, then median and range.`,
    '',
    '| ratio | median | range | rounds |',
    '| --- | --- | --- | --- |',
    ...rows.map(([what, xs]) => `| ${what} | ${median([...xs]).toFixed(2)} | ${range([...xs])} | ${xs.length} |`),
    '',
    `Images/s medians: ${cases.map((c) => `${key(c)} ${median(per(key(c))).toFixed(0)}`).join(', ')}. ` +
      `Threads chosen: ${cases.map((c) => `${key(c)} ${[...new Set(threads.get(key(c)))].join('/')}`).join(', ')}.`,
    END,
  ].join('\n');
  writeMarkedSection({ start: START, end: END }, 'Shared cores', section);
  console.log(section);
}

void main();
