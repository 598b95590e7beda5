// The chaos run: the real API and workers on a PostgreSQL and a Redis of their own train a grid
// while trainer children and workers are killed and Redis, PostgreSQL and the API restart at
// random moments. Afterwards every experiment must have succeeded, with one metric row per epoch,
// a verifying checkpoint, and no more epochs redone than faults that could interrupt one.
// `npm run chaos` runs the long form; apps/worker/test/chaos.e2e.test.ts a short one in CI.
import { execFileSync } from 'node:child_process';
import { createDb, repositories } from '@resnet-lab/db';
import pg from 'pg';
import { freePort, startProcess, waitForHttp, type RunningProcess } from './processes';
import { startPrivatePostgres, startPrivateRedis } from './private-services';
import { TINY_SPEC } from './use-stack';

export type FaultKind = 'trainer' | 'worker' | 'redis' | 'postgres' | 'api';

export interface ChaosOptions {
  experiments: number;
  epochs: number;
  workers: number;
  faults: Record<FaultKind, number>;
  /** Random pause before each fault, in ms. */
  gapMs: [number, number];
  timeoutMs: number;
  log: (line: string) => void;
}

export interface ChaosReport {
  experiments: number;
  statuses: Record<string, number>;
  /** Experiments missing a train metric row for some epoch (the unique index rules out two). */
  missingEpochs: string[];
  /** Experiments whose newest checkpoint is missing or does not verify. */
  badCheckpoints: string[];
  faultsDone: Record<FaultKind, number>;
  /** Why experiments failed, if any did: error message -> count. */
  failures: Record<string, number>;
  /** Workers that exited on their own (e.g. during an outage) and were restarted. */
  workerCrashes: number;
  epochsNeeded: number;
  epochsTrained: number;
  seconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = ([lo, hi]: [number, number]) => lo + Math.random() * (hi - lo);

/** Trainer children of a worker process (the worker forks one per running job). */
function childPids(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const postgres = await startPrivatePostgres();
  const redis = await startPrivateRedis();
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const common = { DATABASE_URL: postgres.url, REDIS_URL: redis.url, QUEUE_PREFIX: 'chaos', LOG_LEVEL: 'info' };
  let epochsTrained = 0;
  let workerCrashes = 0;
  const faultsDone: Record<FaultKind, number> = { trainer: 0, worker: 0, redis: 0, postgres: 0, api: 0 };

  const launchApi = async () => {
    const api = startProcess('apps/api/src/server.ts', {
      ...common,
      PORT: String(port),
      OUTBOX_INTERVAL_MS: '500',
      RECONCILE_INTERVAL_MS: '3000',
    });
    await waitForHttp(`${apiUrl}/readyz`, api, 120_000);
    return api;
  };
  const workers = new Set<RunningProcess>();
  const launchWorker = () => {
    const w = startProcess('apps/worker/src/main.ts', {
      ...common,
      TRAINER_THREADS: '1',
      CANCEL_POLL_MS: '300',
      WORKER_CALIBRATE: '0',
      // A killed worker's job moves to another after a few seconds instead of half a minute.
      WORKER_LOCK_MS: '3000',
    });
    let partial = '';
    w.child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.includes('"epoch finished"')) epochsTrained++;
    });
    workers.add(w);
    return w;
  };

  let api = await launchApi();
  for (let i = 0; i < o.workers; i++) launchWorker();
  const db = createDb(postgres.url, { poolSize: 2 });
  const sql = () => new pg.Client({ connectionString: postgres.url });

  try {
    const res = await fetch(`${apiUrl}/v1/grids`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'chaos',
        base: { ...TINY_SPEC, training: { ...TINY_SPEC.training, epochs: o.epochs, checkpointEvery: 1 } },
        axes: { 'training.seed': Array.from({ length: o.experiments }, (_, i) => i) },
      }),
    });
    if (res.status !== 201) throw new Error(`grid submit answered ${res.status}: ${await res.text()}`);
    const gridId = ((await res.json()) as { grid: { id: string } }).grid.id;
    o.log(`grid ${gridId}: ${o.experiments} experiments x ${o.epochs} epochs, ${o.workers} worker(s)`);

    /** Statuses of the grid's experiments, or null while PostgreSQL is down. */
    const statuses = async (): Promise<Record<string, number> | null> => {
      const client = sql();
      try {
        await client.connect();
        const { rows } = await client.query<{ status: string; n: number }>(
          `SELECT e.status::text AS status, count(*)::int AS n FROM "Experiment" e
           JOIN "GridMember" m ON m."experimentId" = e.id WHERE m."gridId" = $1 GROUP BY 1`,
          [gridId],
        );
        return Object.fromEntries(rows.map((r) => [r.status, r.n]));
      } catch {
        return null;
      } finally {
        await client.end().catch(() => {});
      }
    };
    const finished = (s: Record<string, number> | null) =>
      s !== null && (s.succeeded ?? 0) + (s.failed ?? 0) + (s.cancelled ?? 0) === o.experiments;

    // A supervisor, as systemd would be: a worker that exits (an outage can end it) is replaced.
    const supervisor = setInterval(() => {
      for (const w of workers) {
        if (w.child.exitCode !== null || w.child.signalCode !== null) {
          workers.delete(w);
          workerCrashes++;
          o.log(`worker exited on its own (${w.child.exitCode ?? w.child.signalCode}); restarting it`);
          launchWorker();
        }
      }
    }, 500);

    const plan = (Object.entries(o.faults) as [FaultKind, number][])
      .flatMap(([kind, n]) => Array.from({ length: n }, () => kind))
      .sort(() => Math.random() - 0.5);
    try {
      for (const kind of plan) {
        await sleep(between(o.gapMs));
        if (finished(await statuses())) break;
        switch (kind) {
          case 'trainer': {
            // A trainer child of a random worker, if one is training now; otherwise wait for one.
            let pid: number | undefined;
            for (let tries = 0; tries < 40 && pid === undefined; tries++) {
              const pids = [...workers].flatMap((w) => (w.child.pid ? childPids(w.child.pid) : []));
              pid = pids[Math.floor(Math.random() * pids.length)];
              if (pid === undefined) await sleep(250);
            }
            if (pid === undefined) continue;
            process.kill(pid, 'SIGKILL');
            break;
          }
          case 'worker': {
            const victim = [...workers][Math.floor(Math.random() * workers.size)]!;
            workers.delete(victim);
            await victim.kill();
            launchWorker();
            break;
          }
          case 'redis':
            await redis.kill();
            await sleep(1_000);
            await redis.start();
            break;
          case 'postgres':
            postgres.stop('immediate');
            await sleep(1_000);
            await postgres.start();
            break;
          case 'api':
            await api.kill();
            api = await launchApi();
            break;
        }
        faultsDone[kind]++;
        o.log(`fault: ${kind} (${Math.round((Date.now() - started) / 1000)} s)`);
      }
      const deadline = started + o.timeoutMs;
      while (!finished(await statuses())) {
        if (Date.now() > deadline)
          throw new Error(`grid not finished after ${o.timeoutMs} ms: ${JSON.stringify(await statuses())}`);
        await sleep(1_000);
      }
    } finally {
      clearInterval(supervisor);
    }

    const repos = repositories(db);
    const members = await repos.grids.members(gridId);
    const failures: Record<string, number> = {};
    for (const row of await db.experiment.findMany({
      where: { id: { in: members.map((m) => m.experimentId) }, status: 'failed' },
      select: { error: true },
    })) {
      const reason = (row.error ?? 'no error recorded').slice(0, 200);
      failures[reason] = (failures[reason] ?? 0) + 1;
    }
    const missingEpochs: string[] = [];
    const badCheckpoints: string[] = [];
    for (const m of members) {
      const rows = await db.metric.findMany({
        where: { experimentId: m.experimentId, split: 'train', name: 'loss' },
        select: { epoch: true },
      });
      const epochs = new Set(rows.map((r) => r.epoch));
      if (Array.from({ length: o.epochs }, (_, i) => i + 1).some((e) => !epochs.has(e))) {
        missingEpochs.push(m.experimentId);
      }
      const newest = await repos.checkpoints.latest(m.experimentId);
      const verified = newest ? await repos.checkpoints.read(m.experimentId, newest.epoch).catch(() => null) : null;
      if (!verified) badCheckpoints.push(m.experimentId);
    }
    return {
      experiments: o.experiments,
      statuses: (await statuses()) ?? {},
      missingEpochs,
      badCheckpoints,
      failures,
      faultsDone,
      workerCrashes,
      epochsNeeded: o.experiments * o.epochs,
      epochsTrained,
      seconds: Math.round((Date.now() - started) / 1000),
    };
  } catch (error) {
    const tail = [...workers].map((w) => w.output().slice(-3000)).join('\n--- worker ---\n');
    throw new Error(`${(error as Error).message}\n--- api ---\n${api.output().slice(-3000)}\n--- worker ---\n${tail}`, {
      cause: error,
    });
  } finally {
    await Promise.all([api.stop(), ...[...workers].map((w) => w.stop())]);
    await db.$disconnect().catch(() => {});
    await redis.remove();
    postgres.remove();
  }
}
