import { describe, expect, it } from 'vitest';
import type { GridMember, Summary } from '../../api/types';
import {
  axisOptions,
  buildRows,
  filterRows,
  heldOutSplit,
  isTrainOnly,
  metricNames,
  readTableQuery,
  sortRows,
} from './table-model';
import { degradationVerdict } from './verdict';

const member = (index: number, family: string, depth: number, status: string, seed = 0): GridMember =>
  ({
    index,
    reused: false,
    values: { 'architecture.family': family, 'architecture.depth': depth, 'training.seed': seed },
    experiment: {
      id: `e${index}`,
      status,
      spec: { architecture: { family, depth }, training: { epochs: 3 } },
      attempts: 1,
      backend: 'onednn',
      error: null,
      progress: status === 'running' ? { epoch: 3, epochs: 3 } : null,
    },
  }) as unknown as GridMember;

const members = [
  member(0, 'cifar-plain', 8, 'succeeded'),
  member(1, 'cifar-plain', 14, 'succeeded'),
  member(2, 'cifar-resnet', 8, 'running'),
  member(3, 'cifar-resnet', 14, 'queued'),
];

const summary = {
  experiments: [
    { experimentId: 'e0', epochs: 3, final: { 'train.error': 0.3, 'validation.error': 0.35 }, best: {} },
    { experimentId: 'e1', epochs: 3, final: { 'train.error': 0.4, 'validation.error': 0.45 }, best: {} },
    { experimentId: 'e2', epochs: 2, final: { 'train.error': 0.2, 'validation.error': 0.25 }, best: {} },
  ],
} as unknown as Summary;

describe('experiment table model', () => {
  const rows = buildRows(members, summary);

  it('joins members with their results', () => {
    expect(rows.map((r) => [r.id, r.family, r.depth, r.epochs, r.epochsTotal])).toEqual([
      ['e0', 'cifar-plain', 8, 3, 3],
      ['e1', 'cifar-plain', 14, 3, 3],
      ['e2', 'cifar-resnet', 8, 2, 3],
      ['e3', 'cifar-resnet', 14, 0, 3],
    ]);
    expect(rows[3]!.final).toEqual({});
  });

  it('reads filters and order from the URL and applies them', () => {
    const q = readTableQuery(
      new URLSearchParams('status=succeeded&f.architecture.depth=14&sort=final:train.error&dir=desc'),
    );
    expect(q).toEqual({
      status: 'succeeded',
      axes: { 'architecture.depth': '14' },
      sort: 'final:train.error',
      dir: 'desc',
    });
    expect(filterRows(rows, q).map((r) => r.id)).toEqual(['e1']);
    expect(readTableQuery(new URLSearchParams())).toEqual({ status: null, axes: {}, sort: 'index', dir: 'asc' });
  });

  it('sorts by metrics, axes and status, rows without a value last either way', () => {
    expect(sortRows(rows, 'final:train.error', 'asc').map((r) => r.id)).toEqual(['e2', 'e0', 'e1', 'e3']);
    expect(sortRows(rows, 'final:train.error', 'desc').map((r) => r.id)).toEqual(['e1', 'e0', 'e2', 'e3']);
    expect(sortRows(rows, 'axis:architecture.depth', 'desc').map((r) => r.id)).toEqual(['e1', 'e3', 'e0', 'e2']);
    expect(sortRows(rows, 'status', 'asc').map((r) => r.status)).toEqual([
      'queued',
      'running',
      'succeeded',
      'succeeded',
    ]);
  });

  it('offers each axis value once, numbers in numeric order', () => {
    expect(axisOptions(rows, ['architecture.depth', 'architecture.family'])).toEqual({
      'architecture.depth': ['8', '14'],
      'architecture.family': ['cifar-plain', 'cifar-resnet'],
    });
  });

  it('picks the held-out split and the metrics that have both curves', () => {
    expect(heldOutSplit(summary)).toBe('validation');
    expect(metricNames(summary)).toEqual(['error']);
    const testOnly = {
      experiments: [{ final: { 'train.loss': 1, 'test.loss': 2, 'train.error': 0.1, 'test.error': 0.2 } }],
    };
    expect(heldOutSplit(testOnly as unknown as Summary)).toBe('test');
    expect(metricNames(testOnly as unknown as Summary)).toEqual(['error', 'loss']);
    expect(metricNames(undefined)).toEqual(['error', 'loss']);
  });

  it('offers training-only metrics (learning rate, images/s) after the ones with both curves', () => {
    const withRates = {
      experiments: [
        {
          final: {
            'train.error': 0.1,
            'validation.error': 0.2,
            'train.learning_rate': 0.01,
            'train.images_per_second': 500,
          },
        },
      ],
    } as unknown as Summary;
    expect(metricNames(withRates)).toEqual(['error', 'images_per_second', 'learning_rate']);
    expect(isTrainOnly(withRates, 'learning_rate')).toBe(true);
    expect(isTrainOnly(withRates, 'error')).toBe(false);
  });
});

describe('degradation verdict', () => {
  const step = (fromDepth: number, toDepth: number, from: number, to: number, verdict: 'better' | 'worse') => ({
    fromDepth,
    toDepth,
    metric: 'train.error',
    from,
    to,
    verdict,
  });

  it('says when the paper is reproduced, with the numbers', () => {
    const v = degradationVerdict({
      series: [
        { family: 'cifar-plain', residual: false, values: {}, steps: [step(8, 14, 0.3, 0.4, 'worse')] },
        { family: 'cifar-resnet', residual: true, values: {}, steps: [step(8, 14, 0.3, 0.2, 'better')] },
      ],
      plainDegrades: true,
      residualImproves: true,
      reproduced: true,
    });
    expect(v.tone).toBe('good');
    expect(v.headline).toMatch(
      /^Degradation reproduced: deeper plain networks trained worse, and deeper residual networks trained better/,
    );
    expect(v.details).toEqual([
      'cifar-plain (plain, depths 8 → 14): depth 8 → 14: train.error 0.3000 → 0.4000 (worse).',
      'cifar-resnet (residual, depths 8 → 14): depth 8 → 14: train.error 0.3000 → 0.2000 (better).',
    ]);
  });

  it('says when it is not, and when there is nothing to judge yet', () => {
    const not = degradationVerdict({
      series: [{ family: 'plain', residual: false, values: {}, steps: [step(18, 34, 0.3, 0.2, 'better')] }],
      plainDegrades: false,
      residualImproves: null,
      reproduced: null,
    });
    expect(not.headline).toBe(
      'Deeper plain networks did not train worse. The full check needs both plain and residual networks at two depths.',
    );
    expect(
      degradationVerdict({ series: [], plainDegrades: null, residualImproves: null, reproduced: null }).headline,
    ).toMatch(/^No verdict yet/);
  });
});
