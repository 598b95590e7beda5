import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expandGrid, GridSubmission } from './index';

// `npm run up` posts this file; the README promises it is a valid 4-experiment grid.
const demo = JSON.parse(readFileSync(new URL('../../../scripts/demo/grid.json', import.meta.url), 'utf8'));

describe('the quick-start demo grid', () => {
  it('is a valid grid of four experiments: plain and residual at depth 8 and 14', () => {
    const submission = GridSubmission.parse(demo);
    const expansion = expandGrid(submission, { maxExperiments: 100 });
    expect(expansion.points).toHaveLength(4);
    const networks = expansion.points.map((p) => `${p.spec.architecture.family}-${p.spec.architecture.depth}`).sort();
    expect(networks).toEqual(['cifar-plain-14', 'cifar-plain-8', 'cifar-resnet-14', 'cifar-resnet-8']);
  });
});
