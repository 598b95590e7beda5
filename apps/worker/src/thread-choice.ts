import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { readCheckpointHeader } from '@resnet-lab/trainer/checkpoint';

/**
 * How many OpenMP threads a CPU slot's jobs may use. `auto`: each attempt starts with as many as
 * there are idle cores at that moment, up to `max`. On shared cores this matters more than the
 * thread count itself: every oneDNN primitive ends in a barrier, so a job whose two threads share
 * two cores with a busy co-tenant waits at each barrier for the thread that was descheduled, and
 * runs at about a quarter of its quiet speed, while one thread keeps about half (BENCHMARKS.md,
 * "Shared cores").
 */
export interface ThreadPlan {
  max: number;
  auto: boolean;
}

export interface ThreadChoice {
  count: number;
  /** Why this count, recorded with the experiment's backend. */
  reason: string;
}

const plural = (n: number) => `${n} thread${n === 1 ? '' : 's'}`;

/**
 * The thread count for one attempt. A resumed attempt keeps its checkpoint's count: oneDNN splits
 * reductions by thread count, so only the same count continues the run bit for bit. A slot with
 * fewer threads than that (another machine, a lower TRAINER_THREADS) uses its own maximum rather
 * than oversubscribe its cores, and says the continuation is no longer bit-exact.
 */
export function chooseThreads(
  plan: ThreadPlan,
  context: { checkpointThreads?: number | undefined; idleCores: number | null },
): ThreadChoice {
  const resumed = context.checkpointThreads;
  if (resumed !== undefined && resumed <= plan.max) {
    return { count: resumed, reason: `${plural(resumed)}, as the checkpoint it resumes from (bit-exact continuation)` };
  }
  if (resumed !== undefined) {
    return {
      count: plan.max,
      reason:
        `${plural(plan.max)}, the slot's most: the checkpoint it resumes from used ${resumed}, ` +
        'so the run continues, but not bit for bit',
    };
  }
  if (!plan.auto) return { count: plan.max, reason: `${plural(plan.max)} (TRAINER_THREADS)` };
  if (context.idleCores === null) {
    return { count: plan.max, reason: `${plural(plan.max)}: the slot's share of the cores (idle cores unknown)` };
  }
  const count = Math.min(plan.max, Math.max(1, Math.round(context.idleCores)));
  return {
    count,
    reason: `${plural(count)} of the slot's ${plan.max}: ${context.idleCores.toFixed(1)} cores idle at start`,
  };
}

/** The `cpu` line of /proc/stat: jiffies spent idle (idle + iowait) and in total, all cores together. */
export function parseProcStat(text: string): { idle: number; total: number } | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  if (fields.length < 5 || fields.some((f) => !Number.isFinite(f))) return null;
  // user nice system idle iowait irq softirq steal (guest time is already inside user and nice).
  const counted = fields.slice(0, 8);
  return { idle: fields[3]! + fields[4]!, total: counted.reduce((a, b) => a + b, 0) };
}

/**
 * Idle cores over a short window: the share of all cores' time spent idle, times the core count.
 * Null where /proc/stat is unreadable (not Linux) or nothing was counted in the window. /proc/stat
 * counts the whole host, so in a container pinned to some of its cores (availableParallelism below
 * the host's count) this is the host's idle share applied to our cores: an estimate, which is why
 * it only ever lowers the count within the slot's maximum.
 */
export async function measureIdleCores(
  cores: number,
  windowMs = 500,
  read: () => Promise<string> = () => readFile('/proc/stat', 'utf8'),
): Promise<number | null> {
  try {
    const before = parseProcStat(await read());
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const after = parseProcStat(await read());
    if (!before || !after || after.total <= before.total) return null;
    return (cores * (after.idle - before.idle)) / (after.total - before.total);
  } catch {
    return null;
  }
}

/**
 * The thread count for an attempt of a CPU slot: the resumed checkpoint's, else the plan's (idle
 * cores measured only when the plan is `auto`).
 */
export async function threadsForAttempt(plan: ThreadPlan, resumeBytes?: Uint8Array): Promise<ThreadChoice> {
  const checkpointThreads = resumeBytes ? checkpointThreadCount(resumeBytes) : undefined;
  const idleCores =
    plan.auto && checkpointThreads === undefined ? await measureIdleCores(availableParallelism()) : null;
  return chooseThreads(plan, { checkpointThreads, idleCores });
}

/**
 * The native engine's thread count a checkpoint was written with; undefined when it does not say
 * (another backend). Checkpoints from before the header's `threads` field name it only in their
 * numerics line, "onednn: oneDNN 3.x, avx2, 2 threads".
 */
export function checkpointThreadCount(bytes: Uint8Array): number | undefined {
  try {
    const { header } = readCheckpointHeader(bytes);
    if (header.threads !== undefined) return header.threads;
    const named = /, (\d+) threads?$/.exec(header.numerics ?? '');
    return named ? Number(named[1]) : undefined;
  } catch {
    return undefined;
  }
}
