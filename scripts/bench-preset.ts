// A preset grid end to end on this machine: starts the real API and worker on a scratch database,
// submits `--preset` at `--scale` (default cifar/depth at 0.01: plain and residual CIFAR nets at
// depth 20…110, a few epochs on a Fashion-MNIST subset), waits for every experiment and reports
// the wall time, the backend and the degradation verdict. Writes its section of BENCHMARKS.md
// between the preset-bench markers. Run: npx tsx scripts/bench-preset.ts [--preset P] [--scale S]
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createTestDatabase, createTestQueuePrefix, REPO_ROOT, startStack, waitFor } from '@resnet-lab/testing';

const START = '<!-- preset-bench:start -->';
const END = '<!-- preset-bench:end -->';

export interface PresetBenchResult {
  preset: string;
  scale: number;
  experiments: number;
  succeeded: number;
  wallSeconds: number;
  backends: string[];
  degradation: unknown;
}

export async function runPresetBenchmark(preset = 'cifar/depth', scale = 0.01): Promise<PresetBenchResult> {
  const database = await createTestDatabase('rl_bench_preset');
  const queue = await createTestQueuePrefix();
  const stack = await startStack({ databaseUrl: database.url, queuePrefix: queue.prefix, workerEnv: { LOG_LEVEL: 'warn', TRAINER_THREADS: String(os.availableParallelism()) } });
  try {
    const started = Date.now();
    const res = await fetch(`${stack.apiUrl}/v1/grids`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ preset, scale }),
    });
    if (res.status !== 201) throw new Error(`submit failed: ${res.status} ${await res.text()}`);
    const { grid } = (await res.json()) as { grid: { id: string } };
    const final = await waitFor(
      async () => {
        const g = (await (await fetch(`${stack.apiUrl}/v1/grids/${grid.id}`)).json()) as { done: boolean; counts: Record<string, number> };
        return g.done ? g : undefined;
      },
      { timeoutMs: 60 * 60_000, intervalMs: 2_000, what: 'the preset grid' },
    );
    const wallSeconds = (Date.now() - started) / 1000;
    const summary = (await (await fetch(`${stack.apiUrl}/v1/grids/${grid.id}/summary`)).json()) as {
      experiments: { backend: string | null }[];
      degradation: unknown;
    };
    return {
      preset,
      scale,
      experiments: final.counts.total!,
      succeeded: final.counts.succeeded!,
      wallSeconds,
      backends: [...new Set(summary.experiments.map((e) => e.backend ?? '?'))],
      degradation: summary.degradation,
    };
  } finally {
    await stack.stop();
    await queue.cleanup();
    await database.drop();
  }
}

function writeSection(r: PresetBenchResult, command: string): void {
  const file = join(REPO_ROOT, 'BENCHMARKS.md');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const section = [
    START,
    `## Preset grid end to end (issue 10: "cifar/depth at a small scale runs in under 10 minutes")`,
    '',
    `\`${command}\` — the real API and worker (one CPU slot) on a scratch database.`,
    `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'} x ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}. ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '| preset | scale | experiments | succeeded | wall time | backend | target |',
    '|---|---|---|---|---|---|---|',
    `| ${r.preset} | ${r.scale} | ${r.experiments} | ${r.succeeded} | ${(r.wallSeconds / 60).toFixed(1)} min | ${r.backends.join(', ')} | < 10 min |`,
    '',
    `Degradation check from the results: \`${JSON.stringify(r.degradation)}\` (at this scale the`,
    'networks are tiny and train for a few epochs: the verdict is computed, not expected to match the paper).',
    END,
  ].join('\n');
  const at = text.indexOf(START);
  const next = at >= 0 ? text.slice(0, at) + section + text.slice(text.indexOf(END) + END.length) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}

/** Runs the preset benchmark and writes its section of BENCHMARKS.md. */
export async function recordPresetBenchmark(preset?: string, scale?: number): Promise<PresetBenchResult> {
  const result = await runPresetBenchmark(preset, scale);
  const command = `npx tsx scripts/bench-preset.ts${preset ? ` --preset ${preset}` : ''}${scale ? ` --scale ${scale}` : ''} (also part of npm run bench)`;
  writeSection(result, command);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { preset: { type: 'string' }, scale: { type: 'string' } } });
  const result = await recordPresetBenchmark(values.preset, values.scale ? Number(values.scale) : undefined);
  console.log(JSON.stringify(result, null, 2));
}
