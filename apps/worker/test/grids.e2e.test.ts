import { describe, expect, it } from 'vitest';
import { TINY_SPEC, useStack, waitFor } from '@resnet-lab/testing';

/**
 * Grids over the real processes: the API and worker entry points against the real Postgres and
 * Redis, driven over HTTP only. A tiny grid runs to completion (watched over SSE), is submitted
 * again and reused without training, and a grid with a long experiment is cancelled mid-run.
 */
const TINY = { ...TINY_SPEC, training: { ...TINY_SPEC.training, epochs: 1, learningRate: 0.1 } };

const fixture = useStack({ workerEnv: { TRAINER_BACKEND: 'cpu' } });
const { api, withLogs } = fixture;
const stack = () => fixture.stack;

/** Reads an SSE stream until `event: end`, returning the events seen. */
async function readEvents(path: string, timeoutMs: number): Promise<{ event: string; data: any }[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const res = await fetch(`${stack().apiUrl}${path}`, { signal: controller.signal });
  const events: { event: string; data: any }[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event) events.push({ event, data: data ? JSON.parse(data) : null });
      }
    }
  } finally {
    clearTimeout(timer);
  }
  return events;
}

describe('grids end to end', () => {
  let firstGrid: { id: string };

  it('runs a tiny grid to completion, streaming progress over SSE, with results in the summary', async () => {
    const created = await api('/v1/grids', {
      method: 'POST',
      body: { name: 'tiny', base: TINY, axes: { 'training.seed': [1, 2] } },
    });
    expect(created.status).toBe(201);
    firstGrid = created.body.grid;
    const events = await readEvents(`/v1/grids/${firstGrid.id}/events`, 150_000).catch((e) => {
      throw withLogs(e);
    });
    expect(events.at(-1)!.event).toBe('end');
    const last = events.filter((e) => e.event === 'grid').at(-1)!.data;
    expect(last, stack().worker.output().slice(-3000)).toMatchObject({
      done: true,
      progress: 1,
      counts: { total: 2, succeeded: 2 },
    });

    const summary = (await api(`/v1/grids/${firstGrid.id}/summary`)).body;
    expect(summary.experiments).toHaveLength(2);
    for (const e of summary.experiments) {
      expect(e.status).toBe('succeeded');
      expect(e.backend).toBe('cpu');
      expect(Number.isFinite(e.final['train.loss'])).toBe(true);
    }
    expect(summary.groups).toEqual([expect.objectContaining({ n: 2, succeeded: 2 })]);
    expect(summary.groups[0].final['train.loss'].n).toBe(2);
  });

  it('reuses the succeeded experiments when the same grid is submitted again', async () => {
    const again = await api('/v1/grids', { method: 'POST', body: { base: TINY, axes: { 'training.seed': [2, 1] } } });
    expect(again.body).toMatchObject({ created: 0, reused: 2 });
    expect(again.body.grid).toMatchObject({ done: true, counts: { succeeded: 2, reused: 2 } });
    // The dry run's estimate is now calibrated on the measured throughput of those experiments.
    const dry = (
      await api('/v1/grids?dryRun=true', { method: 'POST', body: { base: TINY, axes: { 'training.seed': [3] } } })
    ).body;
    expect(dry.estimate.backend).toBe('cpu');
    expect(dry.estimate.source).toMatch(/^measured/);
    // And so is a run's start-up: what the two runs spent outside their epochs, less than they took.
    expect(dry.estimate.source).toMatch(/start-up per run: median of 2 runs/);
    const took = (await api(`/v1/grids/${firstGrid.id}/summary`)).body.experiments.map((e: any) => e.actualSeconds);
    expect(dry.estimate.startupSeconds).toBeGreaterThan(0);
    expect(dry.estimate.startupSeconds).toBeLessThan(Math.max(...took));
  });

  it('cancels a grid: the running experiment stops at its next batch, queued ones never start', async () => {
    const long = {
      ...TINY,
      dataset: { ...TINY.dataset, trainSize: 2000 },
      training: { epochs: 200, batchSize: 16 },
    };
    const created = await api('/v1/grids', {
      method: 'POST',
      body: { base: long, axes: { 'training.seed': [1, 2, 3] } },
    });
    const gridId = created.body.grid.id;
    await waitFor(
      async () => {
        const { body } = await api(`/v1/grids/${gridId}`);
        return body.counts.running === 1 ? body : undefined;
      },
      { timeoutMs: 60_000, what: 'one experiment of the grid to run' },
    ).catch((e) => {
      throw withLogs(e);
    });
    const cancelled = await api(`/v1/grids/${gridId}/cancel`, { method: 'POST' });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', counts: { cancelled: 2, running: 1 } });
    const done = await waitFor(
      async () => {
        const { body } = await api(`/v1/grids/${gridId}`);
        return body.done ? body : undefined;
      },
      { timeoutMs: 60_000, what: 'the running experiment to stop' },
    ).catch((e) => {
      throw withLogs(e);
    });
    expect(done.counts).toMatchObject({ cancelled: 3, succeeded: 0, running: 0, queued: 0 });
    // The worker is free again: a new experiment runs, watched over its own event stream.
    const next = await api('/v1/experiments', {
      method: 'POST',
      body: { ...TINY, training: { ...TINY.training, seed: 99 } },
    });
    const events = await readEvents(`/v1/experiments/${next.body.id}/events`, 120_000).catch((e) => {
      throw withLogs(e);
    });
    expect(events.at(-1)!.event).toBe('end');
    expect(events.filter((e) => e.event === 'experiment').at(-1)!.data).toMatchObject({
      id: next.body.id,
      status: 'succeeded',
    });
  });
});
