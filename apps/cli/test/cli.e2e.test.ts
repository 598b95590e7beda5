import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  createTestQueuePrefix,
  REPO_ROOT,
  startStack,
  type Stack,
  type TestDatabase,
  type TestQueuePrefix,
} from '@resnet-lab/testing';

/** The real `resnet-lab` command against the real API and worker processes. */
let database: TestDatabase;
let queue: TestQueuePrefix;
let stack: Stack;
let dir: string;

const TINY = {
  architecture: { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25 },
  dataset: { name: 'synthetic', trainSize: 64, testSize: 32, imageSize: 8, classes: 4 },
  training: { epochs: 1, batchSize: 32 },
};

beforeAll(async () => {
  database = await createTestDatabase();
  queue = await createTestQueuePrefix();
  stack = await startStack({
    databaseUrl: database.url,
    queuePrefix: queue.prefix,
    workerEnv: { TRAINER_BACKEND: 'cpu' },
  });
  dir = await mkdtemp(join(tmpdir(), 'resnet-lab-cli-'));
});

afterAll(async () => {
  await stack?.stop();
  await queue?.cleanup();
  await database?.drop();
});

function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'apps/cli/bin/resnet-lab.mjs'), ...args], {
      env: { ...process.env, RESNET_LAB_API: stack.apiUrl, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const firstUuid = (text: string) =>
  /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.exec(text)?.[0] ?? '';

describe('resnet-lab CLI', () => {
  it('prints help, and exits 2 on an unknown command or an unreadable file', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes/);
    expect((await cli(['launch'])).code).toBe(2);
    const missing = await cli(['submit', join(dir, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read/);
  });

  it('exits 4 when the API cannot be reached', async () => {
    const down = await cli(['status'], { RESNET_LAB_API: 'http://127.0.0.1:1' });
    expect(down.code).toBe(4);
    expect(down.stderr).toMatch(/cannot reach the API/);
  });

  it('submits one experiment, watches it to success and shows its status', async () => {
    const file = join(dir, 'experiment.json');
    await writeFile(file, JSON.stringify(TINY));
    const submitted = await cli(['submit', file]);
    expect(submitted.code, submitted.stderr).toBe(0);
    const id = firstUuid(submitted.stdout);
    expect(id).not.toBe('');

    const watched = await cli(['watch', id, '--interval', '0.3']);
    expect(watched.code, watched.stdout + watched.stderr).toBe(0);
    expect(watched.stdout).toMatch(/succeeded/);

    const status = await cli(['status', id, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ id, status: 'succeeded' });
  });

  it('rejects a bad grid with exit 3, naming the field', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'base:\n  training: { epochs: 1 }\naxes:\n  architecture.depth: [20, 21]\n');
    const result = await cli(['submit', file]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/architecture\.depth/);
  });

  it('dry-runs, submits, watches, compares and exports a YAML grid', async () => {
    const file = join(dir, 'grid.yaml');
    await writeFile(
      file,
      [
        'name: cli grid',
        `base: ${JSON.stringify(TINY)}`,
        'axes:',
        '  architecture.family: [cifar-resnet, cifar-plain]',
        '',
      ].join('\n'),
    );
    const dry = await cli(['submit', file, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/2 experiments/);

    const submitted = await cli(['submit', file]);
    expect(submitted.code, submitted.stderr).toBe(0);
    const gridId = firstUuid(submitted.stdout);

    const watched = await cli(['watch', gridId, '--interval', '0.3']);
    expect(watched.code, watched.stdout + watched.stderr).toBe(0);
    expect(watched.stdout).toMatch(/2\/2 succeeded/);

    const compared = await cli(['compare', gridId]);
    expect(compared.code, compared.stderr).toBe(0);
    expect(compared.stdout).toMatch(/family=cifar-resnet/);
    expect(compared.stdout).toMatch(/family=cifar-plain/);

    const out = join(dir, 'grid.csv');
    const exported = await cli(['export', gridId, '--format', 'csv', '--out', out]);
    expect(exported.code, exported.stderr).toBe(0);
    const csv = (await readFile(out, 'utf8')).trim().split('\n');
    expect(csv.length).toBeGreaterThanOrEqual(3);

    const reportFile = join(dir, 'results', 'cli-grid.md');
    const reported = await cli(['report', gridId, '--out', reportFile]);
    expect(reported.code, reported.stderr).toBe(0);
    const report = await readFile(reportFile, 'utf8');
    expect(report).toContain('# cli grid: results');
    expect(report).toMatch(/\| cifar-resnet \| 1 of 1 \| \d+\.\d% \|/);
    expect(report).not.toContain('## Failed runs');
    expect(await readFile(join(dir, 'results', 'cli-grid', 'error-curves.svg'), 'utf8')).toMatch(/^<svg/);

    const grid = JSON.parse((await cli(['status', gridId, '--json'])).stdout);
    const members = (await (await fetch(`${stack.apiUrl}/v1/grids/${gridId}/experiments`)).json()) as {
      items: { experiment: { id: string } }[];
    };
    expect(grid.counts.succeeded).toBe(2);
    const ids = members.items.map((m) => m.experiment.id).join(',');
    const side = await cli(['compare', '--ids', ids]);
    expect(side.code, side.stderr).toBe(0);
    expect(side.stdout).toMatch(/architecture\.family/);
  });

  it('lists presets and dry-runs one at a small scale', async () => {
    const listed = await cli(['presets']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/cifar\/depth/);
    const dry = await cli(['submit', '--preset', 'cifar/depth', '--scale', '0.01', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const body = JSON.parse(dry.stdout);
    expect(body.experiments).toBe(10);
    expect(body.estimate.totalSeconds).toBeGreaterThan(0);
    expect((await cli(['submit', '--preset', 'cifar/depth', '--scale', 'big'])).code).toBe(2);
    // A budget of twice that estimate (the workers' slots share it) picks a scale and says which.
    const budget = `${Math.ceil(2 * body.estimate.totalSeconds)}s`;
    const fitted = await cli(['submit', '--preset', 'cifar/depth', '--budget', budget, '--dry-run']);
    expect(fitted.code, fitted.stderr).toBe(0);
    expect(fitted.stdout).toMatch(/budget .+: picked scale 0\.\d+, estimated .+ on \d+ slot\(s\)/);
    expect((await cli(['submit', '--preset', 'cifar/depth', '--budget', 'soon'])).code).toBe(2);
    expect((await cli(['submit', 'grid.yaml', '--budget', '1h'])).code).toBe(2); // a budget picks a preset's scale
  });

  it('cancels a queued grid', async () => {
    const slow = { ...TINY, dataset: { ...TINY.dataset, trainSize: 4096 }, training: { epochs: 30, batchSize: 32 } };
    const file = join(dir, 'slow.json');
    await writeFile(file, JSON.stringify({ base: slow, axes: { 'training.seed': [11, 12, 13] } }));
    const gridId = firstUuid((await cli(['submit', file])).stdout);
    const cancelled = await cli(['cancel', gridId]);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toMatch(/cancelled/);
    const watched = await cli(['watch', gridId, '--interval', '0.3']);
    expect(watched.code).toBe(1);
  });
});
