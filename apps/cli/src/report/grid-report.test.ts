import { describe, expect, it } from 'vitest';
import type { GridSummary, GridView } from '@resnet-lab/spec';
import { gridReport, type ReportInput } from './grid-report';

const ID = '00000000-0000-4000-8000-000000000001';
const AXES = ['architecture.family', 'architecture.depth', 'training.seed'];

/** Plain and residual nets at depths 20 and 56, two seeds each: curves as mean ± std per group. */
function input(errors: Record<string, number>): ReportInput {
  const groups = Object.entries(errors).map(([key, error]) => {
    const family = key.slice(0, key.lastIndexOf('-'));
    const depth = key.slice(key.lastIndexOf('-') + 1);
    return {
      group: key,
      values: { 'architecture.family': family, 'architecture.depth': Number(depth) },
      n: 2,
      succeeded: 2,
      stopped: 0,
      final: {
        'train.error': { mean: error, std: 0.01, n: 2 },
        'validation.error': { mean: error + 0.02, std: 0, n: 2 },
      },
      best: { 'validation.error': { mean: error, std: 0.005, n: 2 } },
    };
  });
  const curve = (offset: number) => ({
    gridId: ID,
    metric: 'train.error',
    by: 'group' as const,
    series: groups.map((g) => ({
      key: g.group,
      values: g.values,
      points: [1, 2, 3].map((epoch) => ({ epoch, value: 0.5 / epoch + offset, std: 0.02, n: 2 })),
    })),
  });
  const grid = {
    id: ID,
    name: null,
    preset: 'cifar/depth',
    counts: { total: 8, queued: 0, running: 0, succeeded: 8, failed: 0, cancelled: 0, stopped: 0, reused: 0 },
  } as unknown as GridView;
  const depthsOf = (family: string) =>
    Object.entries(errors)
      .filter(([k]) => k.startsWith(family))
      .map(([k, v]) => ({ depth: Number(k.slice(k.lastIndexOf('-') + 1)), v }));
  const series = ['cifar-plain', 'cifar-resnet'].map((family) => {
    const [a, b] = depthsOf(family);
    return {
      family,
      residual: family === 'cifar-resnet',
      values: {},
      steps: [
        {
          fromDepth: a!.depth,
          toDepth: b!.depth,
          metric: 'train.error',
          from: a!.v,
          to: b!.v,
          verdict: b!.v < a!.v ? ('better' as const) : ('worse' as const),
        },
      ],
    };
  });
  const plainDegrades = series[0]!.steps[0]!.verdict === 'worse';
  const residualImproves = series[1]!.steps[0]!.verdict === 'better';
  const summary: GridSummary = {
    gridId: ID,
    axes: AXES,
    experiments: [],
    groups,
    degradation: { series, plainDegrades, residualImproves, reproduced: plainDegrades && residualImproves },
  };
  return {
    grid,
    summary,
    trainCurves: curve(0),
    validationCurves: curve(0.05),
    context: ['Ran on a test machine.'],
    figurePath: 'cifar-depth/error-curves.svg',
  };
}

describe('grid report', () => {
  it('draws plain beside residual, a colour per depth, thin training and bold validation lines with seed bands', () => {
    const { figure } = gridReport(
      input({ 'cifar-plain-20': 0.08, 'cifar-plain-56': 0.2, 'cifar-resnet-20': 0.07, 'cifar-resnet-56': 0.05 }),
    );
    expect(figure.startsWith('<svg')).toBe(true);
    expect(figure.match(/<g class="panel">/g)).toHaveLength(2);
    expect(figure).toContain('>cifar-plain</text>');
    expect(figure).toContain('>cifar-resnet</text>');
    // 2 families x 2 depths x (train, validation), each with a band over the two seeds.
    expect(figure.match(/<polyline class="series"/g)).toHaveLength(8);
    expect(figure.match(/<polygon class="band"/g)).toHaveLength(8);
    expect(figure).toMatch(/stroke-width="1.2"><title>depth 20, train<\/title>/);
    expect(figure).toMatch(/stroke-width="2.6"><title>depth 56, validation<\/title>/);
    // The same depth has the same colour in both panels.
    const colours = [...figure.matchAll(/stroke="(#[0-9A-F]{6})" stroke-width="1.2"><title>depth 20, train/g)];
    expect(new Set(colours.map((m) => m[1])).size).toBe(1);
  });

  it('tables the final errors per group and says in words whether the finding is reproduced', () => {
    const reproduced = gridReport(
      input({ 'cifar-plain-20': 0.08, 'cifar-plain-56': 0.2, 'cifar-resnet-20': 0.07, 'cifar-resnet-56': 0.05 }),
    ).markdown;
    expect(reproduced).toContain('# cifar/depth: results');
    expect(reproduced).toContain(
      '![Training (thin) and validation (bold) error per epoch](cifar-depth/error-curves.svg)',
    );
    expect(reproduced).toContain(
      '| cifar-plain | 56 | 2 of 2 | 20.0% ± 1.0 (n 2) | 22.0% ± 0.0 (n 2) | 20.0% ± 0.5 (n 2) |',
    );
    expect(reproduced).toContain('20→56: 8.0% → 20.0% (worse)');
    expect(reproduced).toContain("**The paper's finding is reproduced**");

    const not = gridReport(
      input({ 'cifar-plain-20': 0.08, 'cifar-plain-56': 0.06, 'cifar-resnet-20': 0.07, 'cifar-resnet-56': 0.05 }),
    ).markdown;
    expect(not).toContain('**Not reproduced at this scale**: deeper plain nets did not train worse');
  });

  it('says how many members of a group the early-stopping rule ended', () => {
    const withStopped = input({
      'cifar-plain-20': 0.08,
      'cifar-plain-56': 0.2,
      'cifar-resnet-20': 0.07,
      'cifar-resnet-56': 0.05,
    });
    const group = withStopped.summary.groups.find((g) => g.group === 'cifar-plain-56')!;
    Object.assign(group, { succeeded: 1, stopped: 1 });
    expect(gridReport(withStopped).markdown).toContain(
      '| cifar-plain | 56 | 1 of 2 (1 stopped early, not in the means) | 20.0% ± 1.0 (n 2) |',
    );
  });

  it('lists failed runs with the error each ended with', () => {
    const failed = input({
      'cifar-plain-20': 0.08,
      'cifar-plain-56': 0.2,
      'cifar-resnet-20': 0.07,
      'cifar-resnet-56': 0.05,
    });
    expect(gridReport(failed).markdown).not.toContain('## Failed runs');
    failed.failures = [{ index: 3, values: { 'architecture.depth': 56, 'training.seed': 0 }, error: 'out of memory' }];
    expect(gridReport(failed).markdown).toContain(
      '## Failed runs\n\n- Point 3 (architecture.depth=56, training.seed=0): out of memory\n',
    );
  });

  it('leaves the degradation section out where no family ran at two depths', () => {
    const one = input({
      'cifar-plain-20': 0.08,
      'cifar-plain-56': 0.2,
      'cifar-resnet-20': 0.07,
      'cifar-resnet-56': 0.05,
    });
    for (const g of one.summary.groups) g.values['architecture.depth'] = 20;
    expect(gridReport(one).markdown).not.toContain('## Degradation');
  });
});
