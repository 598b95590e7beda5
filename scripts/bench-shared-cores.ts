// `npx tsx scripts/bench-shared-cores.ts [--rounds N]`: the native engine's ResNet-20 training step
// (batch 128, OMP_NUM_THREADS = cores) alone and beside a CPU co-tenant (one busy process per
// core), under OpenMP's default wait policy and under OMP_WAIT_POLICY=PASSIVE. The four cases are
// interleaved in every round, so that the host's own noise falls on all of them alike; what is
// reported is each policy's contended/quiet ratio and passive/default ratios, median and range
// over the rounds. Writes its marked section of BENCHMARKS.md.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runCase = join(root, 'packages/engine-onednn/bench/run-case.ts');
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
const START = '<!-- shared-cores-bench:start -->';
const END = '<!-- shared-cores-bench:end -->';

type Policy = 'default' | 'passive';
type Case = { policy: Policy; contended: boolean };

function step(policy: Policy): number | null {
  const env: Record<string, string | undefined> = { ...process.env, OMP_NUM_THREADS: String(os.cpus().length) };
  delete env.OMP_WAIT_POLICY;
  if (policy === 'passive') env.OMP_WAIT_POLICY = 'PASSIVE';
  const child = spawnSync(process.execPath, [tsxCli, runCase, 'resnet20-cifar', 'onednn', '128', '3', '10'], {
    cwd: root,
    encoding: 'utf8',
    env,
  });
  const line = child.stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (child.status !== 0 || !line) return null;
  const out = JSON.parse(line) as { imagesPerSecond?: number; unavailable?: string };
  return out.imagesPerSecond ?? null;
}

/** One busy-looping process per core: a co-tenant that wants every core all the time. */
function startBurners(): ChildProcess[] {
  return os.cpus().map(() => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const range = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;

async function main() {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
  const rounds = Number(values.rounds);
  const cases: Case[] = [
    { policy: 'default', contended: false },
    { policy: 'passive', contended: false },
    { policy: 'default', contended: true },
    { policy: 'passive', contended: true },
  ];
  const speeds = new Map<string, number[]>();
  const key = (c: Case) => `${c.policy}/${c.contended ? 'contended' : 'quiet'}`;
  for (let r = 0; r < rounds; r++) {
    // Alternate the order between rounds so neither policy always runs first.
    const order = r % 2 === 0 ? cases : [...cases].reverse();
    for (const c of order) {
      const burners = c.contended ? startBurners() : [];
      try {
        const ips = step(c.policy);
        if (ips === null) throw new Error(`the onednn case failed (${key(c)}); is the engine built?`);
        speeds.set(key(c), [...(speeds.get(key(c)) ?? []), ips]);
        console.log(`round ${r + 1} ${key(c)}: ${ips.toFixed(1)} img/s`);
      } finally {
        for (const b of burners) b.kill('SIGKILL');
      }
    }
  }
  const per = (k: string) => speeds.get(k)!;
  const ratios = (a: string, b: string) => per(a).map((x, i) => x / per(b)[i]!);
  const rows = [
    ['default policy: contended / quiet', ratios('default/contended', 'default/quiet')],
    ['passive policy: contended / quiet', ratios('passive/contended', 'passive/quiet')],
    ['passive / default, quiet', ratios('passive/quiet', 'default/quiet')],
    ['passive / default, contended', ratios('passive/contended', 'default/contended')],
  ] as const;
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const section = [
    START,
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores (${cpu}) by`,
    '`npx tsx scripts/bench-shared-cores.ts`: the native engine, CIFAR ResNet-20 training step at',
    `batch 128 with ${os.cpus().length} OpenMP threads, alone and beside one busy process per core,`,
    `under OpenMP's default wait policy and \`OMP_WAIT_POLICY=PASSIVE\`; ${rounds} rounds, the four`,
    'cases interleaved in each. Ratios are per round, then median and range.',
    '',
    '| ratio | median | range | rounds |',
    '| --- | --- | --- | --- |',
    ...rows.map(([what, xs]) => `| ${what} | ${median([...xs]).toFixed(2)} | ${range([...xs])} | ${xs.length} |`),
    '',
    `Images/s medians: ${cases.map((c) => `${key(c)} ${median(per(key(c))).toFixed(0)}`).join(', ')}.`,
    END,
  ].join('\n');
  const file = join(root, 'BENCHMARKS.md');
  const text = readFileSync(file, 'utf8');
  const at = text.indexOf(START);
  const next =
    at >= 0
      ? text.slice(0, at) + section + text.slice(text.indexOf(END) + END.length)
      : `${text.trimEnd()}\n\n## Shared cores\n\n${section}\n`;
  writeFileSync(file, next);
  console.log(section);
}

void main();
