/**
 * Load benchmark of the API's bounded-work guarantees, against a real API process with its
 * production defaults (rate limit, stream cap, timeouts), a scratch Postgres database and a
 * scratch BullMQ prefix, all removed afterwards. Clients come from many loopback addresses
 * (127.0.0.2...), as they would from many machines: the per-client rate limit and stream cap apply
 * to each address.
 *   A. a 20,000-point grid submitted;
 *   B. 1,000 event-stream watchers of that grid while 50 clients submit experiments;
 *   C. a 1e6-point grid with 1,000 exclude rules (refused before any point is checked);
 *   D. 10,000 sockets trickling request bodies, while other clients use the API.
 * Throughout, a probe sends GET /healthz every 20 ms: its latency shows how long the API's event
 * loop was held (a blocked loop answers nothing). Results go to RELIABILITY.md between the
 * load-bench markers.
 *   npx tsx scripts/bench-load.ts [--seconds 30] [--slow-sockets 10000] [--watchers 1000]
 */
import http from 'node:http';
import net from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureDatabase, migrate } from '@resnet-lab/db';
import { createTestQueuePrefix, freePort, REPO_ROOT, startProcess, uniqueName, waitForHttp } from '@resnet-lab/testing';
import pg from 'pg';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    'slow-sockets': { type: 'string', default: '10000' },
    watchers: { type: 'string', default: '1000' },
    submitters: { type: 'string', default: '50' },
  },
});
const SECONDS = Number(args.seconds);
const SLOW_SOCKETS = Number(args['slow-sockets']);
const WATCHERS = Number(args.watchers);
const SUBMITTERS = Number(args.submitters);
const POSTGRES = 'postgresql://postgres@127.0.0.1:5432';
const REDIS = 'redis://127.0.0.1:6379';
const START = '<!-- load-bench:start -->';
const END = '<!-- load-bench:end -->';
const TINY = {
  architecture: { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25 },
  dataset: { name: 'synthetic', trainSize: 96, testSize: 32, imageSize: 8, classes: 4 },
  training: { epochs: 2, batchSize: 32 },
};

/** The n-th client address: 127.0.0.2, 127.0.0.3, ... (all of 127/8 is the loopback interface). */
const address = (n: number) => `127.0.${2 + Math.floor(n / 250)}.${2 + (n % 250)}`;

const percentile = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const round = (x: number) => Math.round(x);

interface Answer {
  status: number;
  ms: number;
  body: string;
}

function request(
  base: URL,
  from: string,
  method: string,
  path: string,
  body?: unknown,
  agent?: http.Agent,
): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: base.hostname,
        port: base.port,
        method,
        path,
        localAddress: from,
        agent: agent ?? false,
        headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {},
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, body: text }));
      },
    );
    req.on('error', (error) => resolve({ status: 0, ms: performance.now() - started, body: error.message }));
    req.end(payload);
  });
}

/** GET /healthz every 20 ms from its own address; the latencies of each phase, by label. */
function startProbe(base: URL) {
  const byPhase = new Map<string, number[]>();
  let phase = 'idle';
  let running = true;
  const failures: string[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const loop = (async () => {
    while (running) {
      const answer = await request(base, '127.0.0.1', 'GET', '/healthz', undefined, agent);
      if (answer.status !== 200) failures.push(`${phase}: ${answer.status || answer.body}`);
      if (!byPhase.has(phase)) byPhase.set(phase, []);
      byPhase.get(phase)!.push(answer.ms);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    set phase(name: string) {
      phase = name;
    },
    stats(name: string) {
      const xs = byPhase.get(name) ?? [];
      return { probes: xs.length, p50: percentile(xs, 50), max: Math.max(...xs) };
    },
    get failures() {
      return failures;
    },
    async stop() {
      running = false;
      await loop;
      agent.destroy();
    },
  };
}

/** An event stream: resolves `opened` with its status once the first event (or an error) arrives. */
function watch(base: URL, from: string, path: string) {
  let events = 0;
  let status = 0;
  let firstEventMs = NaN;
  const started = performance.now();
  const req = http.request({ host: base.hostname, port: base.port, path, localAddress: from, agent: false });
  const opened = new Promise<void>((resolve) => {
    req.on('response', (res) => {
      status = res.statusCode ?? 0;
      if (status !== 200) resolve();
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const count = chunk.split('\n\n').length - 1;
        if (events === 0 && count > 0) {
          firstEventMs = performance.now() - started;
          resolve();
        }
        events += count;
      });
    });
    req.on('error', () => resolve());
  });
  req.end();
  return {
    opened,
    get status() {
      return status;
    },
    get firstEventMs() {
      return firstEventMs;
    },
    close: () => req.destroy(),
  };
}

/** A socket that sends a POST's headers and then one body byte every 5 s (of 100,000 announced). */
function trickle(base: URL, from: string) {
  const state = { closedByServer: false, status: 0 };
  const socket = net.connect({ host: base.hostname, port: Number(base.port), localAddress: from });
  let timer: NodeJS.Timeout | undefined;
  socket.on('connect', () => {
    socket.write(
      'POST /v1/experiments HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{',
    );
    timer = setInterval(() => socket.write(' '), 5_000);
  });
  socket.on('data', (d) => {
    const m = /^HTTP\/1\.1 (\d+)/.exec(d.toString());
    if (m) state.status = Number(m[1]);
  });
  socket.on('close', () => {
    state.closedByServer = true;
    clearInterval(timer);
  });
  socket.on('error', () => {});
  return { state, destroy: () => socket.destroy() };
}

export async function runLoadBenchmark(log: (msg: string) => void = console.log): Promise<string> {
  const loadAtStart = loadavg()[0]!.toFixed(2);
  const databaseUrl = `${POSTGRES}/${uniqueName('rl_load')}`;
  const queue = await createTestQueuePrefix();
  await ensureDatabase(databaseUrl);
  await migrate(databaseUrl);
  const port = await freePort();
  const base = new URL(`http://127.0.0.1:${port}`);
  const api = startProcess(
    'apps/api/src/server.ts',
    {
      DATABASE_URL: databaseUrl,
      REDIS_URL: REDIS,
      QUEUE_PREFIX: queue.prefix,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      GRID_MAX_EXPERIMENTS: '20000',
    },
    // LOAD_BENCH_CPU_PROF=dir: a CPU profile of the API process, to see where its time goes.
    process.env.LOAD_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.LOAD_BENCH_CPU_PROF}`] : [],
  );
  const lines: string[] = [];
  let probe: ReturnType<typeof startProbe> | undefined;
  try {
    await waitForHttp(`${base.origin}/readyz`, api);
    probe = startProbe(base);

    // A. The 20k grid.
    probe.phase = 'A';
    const grid = await request(base, address(0), 'POST', '/v1/grids', {
      name: 'load-20k',
      base: TINY,
      axes: {
        'training.seed': Array.from({ length: 2000 }, (_, i) => i),
        'training.learningRate': Array.from({ length: 10 }, (_, i) => 0.01 * (i + 1)),
      },
    });
    if (grid.status !== 201) throw new Error(`20k grid: ${grid.status} ${grid.body.slice(0, 300)}`);
    const gridId = (JSON.parse(grid.body) as { grid: { id: string } }).grid.id;
    const a = probe.stats('A');
    log(`A. 20k grid: ${round(grid.ms)} ms; probe max ${round(a.max)} ms`);

    // B. Watchers and submitters.
    probe.phase = 'B';
    const watchers = Array.from({ length: WATCHERS }, (_, i) =>
      watch(base, address(1 + Math.floor(i / 20)), `/v1/grids/${gridId}/events`),
    );
    await Promise.all(watchers.map((w) => w.opened));
    const streaming = watchers.filter((w) => w.status === 200).length;
    const firstEvents = watchers.map((w) => w.firstEventMs).filter(Number.isFinite);
    const submits: Answer[] = [];
    const deadline = Date.now() + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: SUBMITTERS }, async (_, i) => {
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        while (Date.now() < deadline) {
          const answer = await request(base, address(200 + i), 'POST', '/v1/experiments', TINY, agent);
          submits.push(answer);
          // A client submitting at most 5 a second stays inside its rate limit (1,200 a minute).
          await new Promise((r) => setTimeout(r, Math.max(0, 200 - answer.ms)));
        }
        agent.destroy();
      }),
    );
    watchers.forEach((w) => w.close());
    const b = probe.stats('B');
    const latencies = submits.map((s) => s.ms);
    const statuses = new Map<number, number>();
    for (const s of submits) statuses.set(s.status, (statuses.get(s.status) ?? 0) + 1);
    const fiveXX = submits.filter((s) => s.status >= 500 || s.status === 0).length;
    log(
      `B. ${streaming}/${WATCHERS} streams open (first event p99 ${round(percentile(firstEvents, 99))} ms); ` +
        `${submits.length} submits in ${SECONDS} s, statuses ${JSON.stringify(Object.fromEntries(statuses))}, ` +
        `p50 ${round(percentile(latencies, 50))} ms, p99 ${round(percentile(latencies, 99))} ms; ` +
        `probe max ${round(b.max)} ms`,
    );

    // C. 1e6 points x 1,000 exclude rules.
    probe.phase = 'C';
    const million = await request(base, address(0), 'POST', '/v1/grids', {
      base: TINY,
      axes: {
        'training.seed': Array.from({ length: 1000 }, (_, i) => i),
        'training.learningRate': Array.from({ length: 1000 }, (_, i) => 0.0001 * (i + 1)),
      },
      exclude: Array.from({ length: 1000 }, (_, i) => ({ 'training.seed': [i] })),
    });
    const c = probe.stats('C');
    const field =
      million.status === 400 ? (JSON.parse(million.body) as { errors: { field: string }[] }).errors[0]?.field : '';
    log(
      `C. 1e6 x 1,000 rules: ${million.status} naming ${field} in ${round(million.ms)} ms; ` +
        `probe max ${round(c.max)} ms`,
    );

    // D. Slow bodies.
    probe.phase = 'D';
    const slow = Array.from({ length: SLOW_SOCKETS }, (_, i) => trickle(base, address(300 + Math.floor(i / 50))));
    await new Promise((r) => setTimeout(r, 5_000));
    const during: Answer[] = [];
    const usersUntil = Date.now() + 15_000;
    while (Date.now() < usersUntil) {
      during.push(await request(base, address(290), 'GET', `/v1/grids/${gridId}`));
      during.push(await request(base, address(291), 'POST', '/v1/experiments', TINY));
      await new Promise((r) => setTimeout(r, 100));
    }
    const d = probe.stats('D');
    const ok = during.filter((x) => x.status === 200 || x.status === 201).length;
    // The body deadline (30 s) closes every trickling socket with a 408.
    await new Promise((r) => setTimeout(r, 20_000));
    const closed = slow.filter((s) => s.state.closedByServer).length;
    const timedOut = slow.filter((s) => s.state.status === 408).length;
    slow.forEach((s) => s.destroy());
    log(
      `D. ${SLOW_SOCKETS} slow sockets: other clients' requests ${ok}/${during.length} answered, ` +
        `p99 ${round(
          percentile(
            during.map((x) => x.ms),
            99,
          ),
        )} ms; probe max ${round(d.max)} ms; ` +
        `after the deadline ${closed} closed by the API (${timedOut} with 408)`,
    );

    const date = new Date().toISOString().slice(0, 10);
    lines.push(
      `\`npx tsx scripts/bench-load.ts\` (also in \`npm run bench\`), ${date}, ${cpus().length} cores ` +
        `(${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, load average ${loadAtStart} at the ` +
        'start; the load generator runs on the same cores as the API, Postgres and Redis. "Probe max" is the ' +
        'slowest GET /healthz of a probe sending one every 20 ms during the phase: the longest the event loop ' +
        "was held, plus queueing behind the phase's own requests.",
      '',
      '| phase | result | goal | probe max |',
      '|---|---|---|---|',
      `| A. POST of a 20,000-point grid (expanded on a compute thread) | 201 in ${round(grid.ms)} ms | – | ` +
        `${round(a.max)} ms |`,
      `| B. ${WATCHERS} event-stream watchers of that grid (${Math.ceil(WATCHERS / 20)} addresses) ` +
        `while ${SUBMITTERS} clients submit experiments for ${SECONDS} s | ${streaming} streams open; ` +
        `${submits.length} submits, ` +
        `${fiveXX} 5xx, p50 ${round(percentile(latencies, 50))} ms, p99 ${round(percentile(latencies, 99))} ms | ` +
        `0 5xx, p99 < 500 ms | ${round(b.max)} ms |`,
      `| C. a 1e6-point grid with 1,000 exclude rules | ${million.status} naming \`${field}\` ` +
        `in ${round(million.ms)} ms | ` +
        `refused, loop never held > 100 ms | ${round(c.max)} ms |`,
      `| D. ${SLOW_SOCKETS} sockets trickling a body, while another client reads and submits for 15 s | ` +
        `${ok} of ${during.length} answered (p99 ${round(
          percentile(
            during.map((x) => x.ms),
            99,
          ),
        )} ms); ` +
        `${closed} of the slow sockets closed by the API after its 30 s body deadline (${timedOut} with a 408) | ` +
        `the API keeps answering | ${round(d.max)} ms |`,
    );
    if (probe.failures.length > 0) {
      const counts = new Map<string, number>();
      for (const f of probe.failures) counts.set(f, (counts.get(f) ?? 0) + 1);
      const list = [...counts].map(([what, n]) => `${what} (${n}x)`).join(', ');
      lines.push('', `The probe got ${probe.failures.length} answers other than 200: ${list}.`);
    }
  } finally {
    await probe?.stop();
    await api.stop();
    await queue.cleanup();
    const admin = new pg.Client({ connectionString: `${POSTGRES}/postgres` });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${new URL(databaseUrl).pathname.slice(1)}" WITH (FORCE)`);
    await admin.end();
  }
  const markdown = lines.join('\n');
  const file = join(REPO_ROOT, 'RELIABILITY.md');
  const text = await readFile(file, 'utf8');
  const section = `${START}\n${markdown}\n${END}`;
  await writeFile(
    file,
    text.includes(START)
      ? text.replace(new RegExp(`${START}[\\s\\S]*?${END}`), section)
      : `${text.trimEnd()}\n\n## Load\n\n${section}\n`,
  );
  return markdown;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await runLoadBenchmark());
}
