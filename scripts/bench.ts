// `npm run bench`: training-step throughput and peak RSS of the CIFAR ResNet-20 (batch 128) and
// LeNet-5 MNIST steps on every available backend, and ResNet-18 at 224x224 (batch 16) on the
// native engine. Each case runs in its own process (peak RSS is per process), several times;
// the median is reported. Writes its section of BENCHMARKS.md at the repository root, then runs
// the API benchmarks (scripts/bench-api.ts; `--skip-api` skips them) and a preset grid end to end
// with LeNet-5 on MNIST (scripts/bench-e2e.ts; `--skip-e2e` skips them), and the dashboard on a large
// grid (scripts/bench-dashboard.ts; `--skip-dashboard` skips it), the real training loop against the
// raw step (scripts/bench-loop.ts; `--skip-loop` skips it), the engine on shared cores
// (scripts/bench-shared-cores.ts; `--skip-shared-cores` skips it), bf16 against fp32
// (scripts/bench-precision.ts; `--skip-precision` skips it), transfer learning on MNIST
// (scripts/bench-transfer.ts; `--skip-transfer` skips it), and the API under load
// (scripts/bench-load.ts, into RELIABILITY.md; `--skip-load` skips it).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseResult } from '../packages/engine-onednn/bench/run-case';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runCase = join(root, 'packages/engine-onednn/bench/run-case.ts');
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');

type Plan = {
  model: string;
  backend: string;
  batch: number;
  warmup: number;
  steps: number;
  runs: number;
  note?: string;
};

// tfjs' JavaScript `cpu` backend needs minutes per ResNet-20 step at batch 128 (< 0.3 img/s), so it
// is measured at a small batch; its images/s hardly depend on the batch size.
const plans: Plan[] = [
  { model: 'resnet20-cifar', backend: 'onednn', batch: 128, warmup: 3, steps: 15, runs: 3 },
  { model: 'resnet20-cifar', backend: 'tensorflow', batch: 128, warmup: 3, steps: 15, runs: 3 },
  {
    model: 'resnet20-cifar',
    backend: 'cpu',
    batch: 4,
    warmup: 1,
    steps: 1,
    runs: 1,
    note: 'batch 4: tfjs cpu is too slow for 128',
  },
  { model: 'lenet5-mnist', backend: 'onednn', batch: 128, warmup: 5, steps: 30, runs: 3 },
  { model: 'lenet5-mnist', backend: 'tensorflow', batch: 128, warmup: 5, steps: 30, runs: 3 },
  { model: 'lenet5-mnist', backend: 'cpu', batch: 128, warmup: 1, steps: 3, runs: 1 },
  { model: 'resnet18-imagenet', backend: 'onednn', batch: 16, warmup: 2, steps: 5, runs: 2 },
];

type Row = Plan & { result?: CaseResult; runsMs?: number[]; unavailable?: string; error?: string };

function runOnce(p: Plan): CaseResult | { unavailable: string } | { error: string } {
  const child = spawnSync(
    process.execPath,
    [tsxCli, runCase, p.model, p.backend, String(p.batch), String(p.warmup), String(p.steps)],
    { cwd: root, encoding: 'utf8', maxBuffer: 16 * 2 ** 20 },
  );
  const line = child.stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (child.status !== 0 || !line) {
    return { error: (child.stderr.split('\n').find((l) => /Error/.test(l)) ?? `exit ${child.status}`).trim() };
  }
  return JSON.parse(line) as CaseResult | { unavailable: string };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function machine(): string[] {
  const lscpu = spawnSync('lscpu', [], { encoding: 'utf8' }).stdout ?? '';
  const field = (name: string) => lscpu.match(new RegExp(`^${name}:\\s*(.+)$`, 'm'))?.[1]?.trim();
  let distro = `${os.type()} ${os.release()}`;
  try {
    distro = readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]+)/m)?.[1] ?? distro;
  } catch {
    /* not Linux */
  }
  const flags = field('Flags') ?? '';
  return [
    `CPU: ${field('Model name') ?? os.cpus()[0]?.model} — ${field('CPU\\(s\\)') ?? os.cpus().length} CPUs` +
      `${flags.includes('avx512f') ? ', AVX-512' : flags.includes('avx2') ? ', AVX2' : ''}`,
    `Memory: ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; ` +
      `OS: ${distro} (kernel ${os.release()}); Node ${process.version}`,
  ];
}

const startedAt = new Date();
const loadBefore = os.loadavg();
const rows: Row[] = [];
for (const p of plans) {
  const row: Row = { ...p, runsMs: [] };
  for (let r = 0; r < p.runs; r++) {
    const out = runOnce(p);
    if ('unavailable' in out) {
      row.unavailable = out.unavailable;
      break;
    }
    if ('error' in out) {
      row.error = out.error;
      break;
    }
    row.runsMs!.push(out.medianMs);
    if (!row.result || out.peakRssMiB > row.result.peakRssMiB)
      row.result = { ...out, peakRssMiB: Math.max(out.peakRssMiB, row.result?.peakRssMiB ?? 0) };
  }
  if (row.result && row.runsMs!.length) {
    const ms = median(row.runsMs!);
    row.result = { ...row.result, medianMs: ms, imagesPerSecond: (p.batch * 1000) / ms };
  }
  rows.push(row);
  const shown = row.result
    ? `${row.result.imagesPerSecond.toFixed(1)} img/s, ${row.result.medianMs.toFixed(1)} ms/step, ` +
      `peak RSS ${row.result.peakRssMiB.toFixed(0)} MiB`
    : row.unavailable
      ? `unavailable (${row.unavailable})`
      : `failed (${row.error})`;
  console.log(`${p.model.padEnd(18)} ${p.backend.padEnd(10)} batch ${String(p.batch).padEnd(4)} ${shown}`);
}
const loadAfter = os.loadavg();

const fmt = (r: Row) =>
  r.result
    ? `| ${r.model} | ${r.backend} | ${r.batch} | **${r.result.imagesPerSecond.toFixed(1)}** | ` +
      `${r.result.medianMs.toFixed(1)} | ${r.runsMs!.map((m) => m.toFixed(0)).join(' / ')} | ` +
      `${r.result.peakRssMiB.toFixed(0)} | ${[r.note, r.result.detail].filter(Boolean).join('; ')} |`
    : `| ${r.model} | ${r.backend} | ${r.batch} | — | — | — | — | ` +
      `${r.unavailable ? `unavailable: ${r.unavailable}` : `failed: ${r.error}`} |`;

const START = '<!-- training-bench:start -->';
const END = '<!-- training-bench:end -->';
const section = [
  START,
  '# Benchmarks',
  '',
  'Training-step throughput (forward, backward, SGD with momentum and weight decay) of the model',
  "zoo's networks on each available TensorFlow.js backend. Written by `npm run bench`",
  '(`scripts/bench.ts`); each case runs in its own process, several times, and the median step',
  'time of the runs is reported (each run: warm-up steps, then the median of its timed steps).',
  '',
  `- Command: \`npm run bench\``,
  `- Date: ${startedAt.toISOString()}`,
  ...machine().map((l) => `- ${l}`),
  `- Load average (1/5/15 min) before: ${loadBefore.map((x) => x.toFixed(2)).join(' / ')}, ` +
    `after: ${loadAfter.map((x) => x.toFixed(2)).join(' / ')}` +
    ' (other processes share this machine; a loaded machine slows the 2-thread native engine most)',
  '',
  '| model | backend | batch | images/s | ms/step (median) | per-run medians (ms) | peak RSS (MiB) | notes |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map(fmt),
  '',
  'Targets (issue 10): CIFAR ResNet-20 at batch 128 ≥ 400 img/s on the native engine, aiming at',
  '≥ 700 (a plain C++ oneDNN step on this machine: 710–750 img/s; PyTorch 1.13 CPU: 430–600).',
  END,
].join('\n');

// Other benchmarks keep their own marked sections of the file (the API's, by scripts/bench-api.ts):
// only this section is replaced.
const file = join(root, 'BENCHMARKS.md');
const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
let next: string;
if (previous.includes(START) && previous.includes(END)) {
  next = previous.slice(0, previous.indexOf(START)) + section + previous.slice(previous.indexOf(END) + END.length);
} else {
  // First run with markers: the training figures lead; marked sections of others are kept.
  const others = previous.match(/<!-- (?!training-bench)[\w-]+:start -->[\s\S]*?<!-- [\w-]+:end -->/g) ?? [];
  next = [section, ...others].join('\n\n') + '\n';
}
writeFileSync(file, next);
console.log(`wrote ${file}`);

if (!process.argv.includes('--skip-api')) {
  // The API figures (issue 6) need the local Postgres and Redis; without them only they are missing.
  try {
    const { runApiBenchmarks } = await import('./bench-api');
    await runApiBenchmarks({ writeMarkdown: true, log: (m) => console.log(m) });
  } catch (err) {
    console.log(`API benchmarks not run: ${(err as Error).message}`);
  }
}

if (!process.argv.includes('--skip-e2e')) {
  // LeNet-5 on MNIST and a preset grid through the real API and worker (issues 4 and 10).
  try {
    const { recordE2eBenchmarks } = await import('./bench-e2e');
    const r = await recordE2eBenchmarks();
    console.log(
      `LeNet-5 MNIST: ${(r.lenet.validationAccuracy * 100).toFixed(2)}% in ${r.lenet.seconds.toFixed(0)} s; ` +
        `preset ${r.preset.preset} at ${r.preset.scale}: ` +
        `${r.preset.succeeded}/${r.preset.experiments} in ${(r.preset.seconds / 60).toFixed(1)} min`,
    );
  } catch (err) {
    console.log(`end-to-end benchmarks not run: ${(err as Error).message}`);
  }
}

if (!process.argv.includes('--skip-loop')) {
  // The trainer's real loop, alone and in the worker's child process, against the raw step (issue 16).
  const loop = spawnSync(process.execPath, [tsxCli, join(root, 'scripts/bench-loop.ts')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (loop.status !== 0) console.log(`loop benchmark not run (exit ${loop.status})`);
}

if (!process.argv.includes('--skip-shared-cores')) {
  // The real loop alone and beside a CPU co-tenant, with fixed and automatic thread counts (issue 16).
  const shared = spawnSync(process.execPath, [tsxCli, join(root, 'scripts/bench-shared-cores.ts')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (shared.status !== 0) console.log(`shared-cores benchmark not run (exit ${shared.status})`);
}

if (!process.argv.includes('--skip-precision')) {
  // bf16 mixed precision against fp32: speed interleaved, final error over seeds (issue 16); it
  // says so and writes nothing where the CPU has no native bf16.
  const precision = spawnSync(process.execPath, [tsxCli, join(root, 'scripts/bench-precision.ts')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (precision.status !== 0) console.log(`precision benchmark not run (exit ${precision.status})`);
}

if (!process.argv.includes('--skip-transfer')) {
  // Transfer learning on real MNIST against training from scratch and frozen random features (issue 17).
  const transfer = spawnSync(process.execPath, [tsxCli, join(root, 'scripts/bench-transfer.ts')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (transfer.status !== 0) console.log(`transfer benchmark not run (exit ${transfer.status})`);
}

if (!process.argv.includes('--skip-dashboard')) {
  // The dashboard on a 1,000-experiment grid in headless Chromium (issue 18); its own process,
  // as it runs its script to the end when loaded.
  const dashboard = spawnSync(process.execPath, [tsxCli, join(root, 'scripts/bench-dashboard.ts')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (dashboard.status !== 0) console.log(`dashboard benchmark not run (exit ${dashboard.status})`);
}

if (!process.argv.includes('--skip-load')) {
  // The API's bounded work under load (issue 15): its own process, it opens ~12,000 sockets.
  const load = spawnSync(process.execPath, [tsxCli, join(root, 'scripts/bench-load.ts')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (load.status !== 0) console.log(`load benchmark not run (exit ${load.status})`);
}
