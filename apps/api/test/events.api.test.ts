import { beforeAll, describe, expect, it } from 'vitest';
import type { Repositories } from '@resnet-lab/db';
import { waitFor } from '@resnet-lab/testing';
import type { App } from '../src/app';
import { useTestApi } from './support/test-app';

/**
 * Event streams against the real Postgres and the API over HTTP: many watchers of one grid share
 * one poller (its reads are counted on the repository itself), all of them still hear every
 * change, a client is held to its cap of open streams, and the poller stops with its last watcher.
 */

const INTERVAL_MS = 100;
const WATCHERS = 50;
const CAP = 3;

/** Cap well above WATCHERS, so the fan-out tests are not limited by it. */
let app: App;
let base: string;
/** A second app over the same database with a small cap. */
let capped: App;
let cappedBase: string;

/** Calls of the grid-status aggregate (the poll's expensive query), by whoever makes them. */
let countsCalls = 0;

const TINY = {
  architecture: { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25 },
  dataset: { name: 'synthetic', trainSize: 96, testSize: 32, imageSize: 8, classes: 4 },
  training: { epochs: 1, batchSize: 32 },
};

/** The real repositories, with the grid aggregate counted on its way to Postgres. */
function countingRepositories(repos: Repositories): Repositories {
  return {
    ...repos,
    grids: {
      ...repos.grids,
      counts: (id: string) => {
        countsCalls += 1;
        return repos.grids.counts(id);
      },
    },
  };
}

const api = useTestApi({ wrapRepositories: countingRepositories });

beforeAll(async () => {
  app = await api.build({ sseIntervalMs: INTERVAL_MS, maxStreamsPerClient: 200 });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  capped = await api.build({ sseIntervalMs: INTERVAL_MS, maxStreamsPerClient: CAP });
  cappedBase = await capped.listen({ port: 0, host: '127.0.0.1' });
});

interface SseEvent {
  event: string;
  id?: string;
  data: any;
}

interface Watcher {
  status: number;
  contentType: string;
  /** The problem+json body of an answer that was not a stream. */
  problem?: any;
  /** The first bytes of the stream, to check the wire format. */
  firstBlock?: string;
  events: SseEvent[];
  /** Whether the server ended the stream. */
  ended: boolean;
  close(): Promise<void>;
}

/** Opens an event stream over HTTP and collects its events in the background. */
async function watch(origin: string, path: string): Promise<Watcher> {
  const controller = new AbortController();
  const res = await fetch(`${origin}${path}`, { signal: controller.signal });
  const watcher: Watcher = {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    events: [],
    ended: false,
    close: async () => {},
  };
  if (res.status !== 200) {
    watcher.problem = await res.json();
    return watcher;
  }
  const reader = res.body!.getReader();
  const reading = (async () => {
    const decoder = new TextDecoder();
    let text = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
        for (let cut = text.indexOf('\n\n'); cut >= 0; cut = text.indexOf('\n\n')) {
          const block = text.slice(0, cut);
          text = text.slice(cut + 2);
          if (block.startsWith(':')) continue; // keep-alive comment
          watcher.firstBlock ??= block;
          const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(block)?.[1];
          const id = field('id');
          watcher.events.push({
            event: field('event') ?? 'message',
            ...(id ? { id } : {}),
            data: JSON.parse(field('data')!),
          });
        }
      }
      watcher.ended = true;
    } catch {
      // Aborted by close().
    }
  })();
  watcher.close = async () => {
    controller.abort();
    await reading;
  };
  return watcher;
}

const openAll = (origin: string, path: string, n: number) =>
  Promise.all(Array.from({ length: n }, () => watch(origin, path)));
const closeAll = (watchers: Watcher[]) => Promise.all(watchers.map((w) => w.close()));

/** A grid of one queued experiment: its stream stays open until that experiment runs and ends. */
async function createGrid(seed: number): Promise<{ gridId: string; experimentId: string }> {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/grids',
    payload: { base: TINY, axes: { 'training.seed': [seed] } },
  });
  expect(res.statusCode).toBe(201);
  const gridId = res.json().grid.id as string;
  const members = (await app.inject({ method: 'GET', url: `/v1/grids/${gridId}/experiments` })).json().items;
  return { gridId, experimentId: members[0].experiment.id as string };
}

/** Waits until every watcher has an event of `name` whose data satisfies `test`. */
const allSaw = (watchers: Watcher[], name: string, test: (data: any) => boolean, what: string) =>
  waitFor(
    async () => (watchers.every((w) => w.events.some((e) => e.event === name && test(e.data))) ? true : undefined),
    { timeoutMs: 60_000, intervalMs: 50, what },
  );

describe('event streams share one poller per watched resource', () => {
  it(`${WATCHERS} watchers of a grid cost the database what one does, and all of them hear every change`, async () => {
    const { gridId, experimentId } = await createGrid(1);
    const path = `/v1/grids/${gridId}/events`;
    const feed = app.eventFeeds.grids;

    // One watcher: one poller, whose every poll is one aggregate query.
    const first = await watch(base, path);
    await allSaw([first], 'grid', (g) => g.counts.queued === 1, 'the first watcher to get the grid');
    expect(feed.stats()).toMatchObject({ pollers: 1, listeners: 1 });

    // Fifty watchers: still one poller, and the same one query per poll.
    const more = await openAll(base, path, WATCHERS - 1);
    const watchers = [first, ...more];
    expect(watchers.every((w) => w.status === 200)).toBe(true);
    // Late watchers are handed the state the poller already has, in the wire format of old.
    await allSaw(watchers, 'grid', (g) => g.counts.queued === 1, 'every watcher to get the grid');
    for (const w of watchers) {
      expect(w.contentType).toMatch(/^text\/event-stream/);
      expect(w.firstBlock).toMatch(/^event: grid\nid: W\/"[^"]+"\ndata: \{.*"id":"[^"]+".*\}$/);
    }
    expect(feed.stats()).toMatchObject({ pollers: 1, listeners: WATCHERS });

    const calls0 = countsCalls;
    const reads0 = feed.stats().reads;
    const started = Date.now();
    await waitFor(async () => (feed.stats().reads >= reads0 + 10 ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 20,
      what: 'ten more polls',
    });
    const calls = countsCalls - calls0;
    const reads = feed.stats().reads - reads0;
    const elapsed = Date.now() - started;
    // Each poll is one query whatever the number of watchers (± the poll in flight at each edge)...
    expect(Math.abs(calls - reads)).toBeLessThanOrEqual(2);
    // ...and polls come no faster than one per interval: a poller per stream would make ~50 per interval.
    // (Timers never fire early, so a slow machine only lowers this count.)
    expect(calls).toBeLessThanOrEqual(Math.ceil(elapsed / INTERVAL_MS) * 1.5 + 3);

    // A change reaches every watcher: the experiment starts running.
    await api.deps.repos.experiments.claim(experimentId, 'w1');
    await allSaw(watchers, 'grid', (g) => g.counts.running === 1, 'every watcher to see the experiment running');
    await closeAll(watchers);
  });

  it('streams an experiment to many watchers until it ends, then stops its poller', async () => {
    const { gridId, experimentId } = await createGrid(2);
    const experiments = await openAll(base, `/v1/experiments/${experimentId}/events`, 10);
    const grids = await openAll(base, `/v1/grids/${gridId}/events`, 10);
    const everyone = [...experiments, ...grids];
    await allSaw(experiments, 'experiment', (e) => e.status === 'queued', 'the queued experiment');
    await allSaw(grids, 'grid', (g) => g.counts.queued === 1, 'the queued grid');
    expect(app.eventFeeds.experiments.stats().listeners).toBe(10);

    const { lease } = (await api.deps.repos.experiments.claim(experimentId, 'w1'))!;
    await allSaw(experiments, 'experiment', (e) => e.status === 'running', 'the running experiment');
    await api.deps.repos.experiments.finish(lease, 'succeed');
    await allSaw(experiments, 'experiment', (e) => e.status === 'succeeded', 'the succeeded experiment');
    await allSaw(grids, 'grid', (g) => g.done && g.counts.succeeded === 1, 'the finished grid');
    // After the final state each stream says `end` and the server closes it.
    await allSaw(everyone, 'end', () => true, 'every stream to end');
    await waitFor(async () => (everyone.every((w) => w.ended) ? true : undefined), { what: 'the streams to close' });
    expect(app.eventFeeds.experiments.stats().pollers).toBe(0);
    await closeAll(everyone);
  });

  it('stops the poller when the last watcher leaves', async () => {
    const { gridId } = await createGrid(3);
    const feed = app.eventFeeds.grids;
    const watchers = await openAll(base, `/v1/grids/${gridId}/events`, 20);
    await allSaw(watchers, 'grid', (g) => g.counts.queued === 1, 'every watcher to get the grid');
    expect(feed.stats()).toMatchObject({ pollers: 1, listeners: 20 });

    await closeAll(watchers.slice(0, 19));
    await waitFor(async () => (feed.stats().listeners === 1 ? true : undefined), { what: '19 watchers to be gone' });
    expect(feed.stats().pollers).toBe(1);

    await watchers[19]!.close();
    await waitFor(async () => (feed.stats().pollers === 0 ? true : undefined), { what: 'the poller to stop' });
    expect(feed.stats().listeners).toBe(0);
    // Nothing reads the grid any more: no query in several intervals.
    const calls = countsCalls;
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS * 5));
    expect(countsCalls).toBe(calls);
  });
});

describe('the cap on open streams per client', () => {
  it(`answers 429 problem+json past ${CAP} streams, and a freed slot can be used again`, async () => {
    const { gridId, experimentId } = await createGrid(4);
    const gridPath = `/v1/grids/${gridId}/events`;

    // Refused ids give their slot back at once.
    for (let i = 0; i < CAP + 2; i += 1) {
      const missing = await watch(cappedBase, '/v1/grids/6f1c3e0a-8f1e-4a56-9a7c-2d7f0c6f4b11/events');
      expect(missing.status).toBe(404);
    }

    const open = await openAll(cappedBase, gridPath, CAP);
    expect(open.map((w) => w.status)).toEqual(Array(CAP).fill(200));

    // Grid and experiment streams count together.
    for (const path of [gridPath, `/v1/experiments/${experimentId}/events`]) {
      const refused = await watch(cappedBase, path);
      expect(refused.status).toBe(429);
      expect(refused.contentType).toMatch(/^application\/problem\+json/);
      expect(refused.problem).toMatchObject({ status: 429, title: 'Too Many Requests' });
      expect(refused.problem.detail).toContain(`${CAP} event streams open`);
    }

    // Another app (another cap) is not affected, and no stream of the capped one was harmed.
    const elsewhere = await watch(base, gridPath);
    expect(elsewhere.status).toBe(200);
    await elsewhere.close();

    await open[0]!.close();
    const again = await waitFor(
      async () => {
        const w = await watch(cappedBase, gridPath);
        return w.status === 200 ? w : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: 'the freed slot' },
    );
    await allSaw([again, ...open.slice(1)], 'grid', (g) => g.counts.queued === 1, 'the grid on every open stream');
    await closeAll([again, ...open.slice(1)]);
  });

  it('documents the 429 on both event routes', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const path of ['/v1/grids/{id}/events', '/v1/experiments/{id}/events']) {
      expect(doc.paths[path].get.responses['429'], path).toBeDefined();
    }
  });
});
