// Grid expansion on the compute thread gives exactly what inline expansion gives: the same points,
// and for a bad grid the same 400 with the same fields; a full thread queue is a 429 naming `body`.
import { afterAll, describe, expect, it } from 'vitest';
import { GridSubmission } from '@resnet-lab/spec';
import { AppError } from '../errors';
import { createGridExpander, expandSubmission } from './grid-definition';

const TINY = {
  architecture: { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25 },
  dataset: { name: 'synthetic', trainSize: 96, testSize: 32, imageSize: 8, classes: 4 },
  training: { epochs: 1, batchSize: 32 },
};
const grid = (learningRates: number[]) =>
  GridSubmission.parse({
    base: TINY,
    axes: { 'training.seed': Array.from({ length: 100 }, (_, i) => i), 'training.learningRate': learningRates },
  });

// Every grid goes to the thread (inlinePoints 0), one at a time with none waiting.
const threaded = createGridExpander({ inlinePoints: 0, maxQueued: 0 });
afterAll(() => threaded.close());

async function refusal(run: () => Promise<unknown>): Promise<AppError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('grid expansion off the event loop', () => {
  it('expands on the thread to exactly the inline result', async () => {
    const body = grid([0.01, 0.1, 0.2]);
    expect(await threaded.expand(body, 1000)).toEqual(expandSubmission(body, 1000));
  });

  it('refuses a bad grid from the thread with the inline 400 and its fields', async () => {
    const body = grid([0.1, -1]);
    const inline = await refusal(async () => expandSubmission(body, 1000));
    const fromThread = await refusal(() => threaded.expand(body, 1000));
    expect(fromThread.status).toBe(400);
    expect(fromThread.message).toBe(inline.message);
    expect(fromThread.fieldErrors).toEqual(inline.fieldErrors);
    expect(fromThread.fieldErrors?.[0]?.field).toBe('training.learningRate');
  });

  it('refuses a structurally bad grid (zip groups of unequal length) with a 400 naming the field', async () => {
    const body = GridSubmission.parse({
      base: TINY,
      zip: [{ 'training.seed': [0, 1, 2], 'training.learningRate': [0.1, 0.2] }],
    });
    const error = await refusal(() => threaded.expand(body, 1000));
    expect(error.status).toBe(400);
    expect(error.fieldErrors?.[0]?.field).toBe('zip.0.training.learningRate');
  });

  it('refuses a base too large to be a spec before cloning it into every point', async () => {
    const body = GridSubmission.parse({ ...grid([0.1]), base: { ...TINY, junk: 'x'.repeat(20_000) } });
    const error = await refusal(() => threaded.expand(body, 1000));
    expect(error.status).toBe(400);
    expect(error.fieldErrors?.[0]?.field).toBe('base');
  });

  it('answers 429 naming body when large grids already wait for the thread', async () => {
    const body = grid(Array.from({ length: 20 }, (_, i) => 0.01 * (i + 1)));
    const first = threaded.expand(body, 5000);
    const second = await refusal(() => threaded.expand(body, 5000));
    expect(second.status).toBe(429);
    expect(second.fieldErrors?.[0]?.field).toBe('body');
    expect((await first).points).toHaveLength(2000);
  });
});
