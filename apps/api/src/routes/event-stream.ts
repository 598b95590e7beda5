import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ChangeFeed, FeedState } from '../services/change-feed';

const HEARTBEAT_MS = 15_000;

/**
 * The wire form of a state: the dashboard's EventSource listens for `event` and parses `data`.
 * Built once per state and shared by every stream of the resource, however many there are.
 */
const frames = new WeakMap<object, string>();
function frameOf(event: string, state: FeedState<unknown>): string {
  let frame = frames.get(state);
  if (frame === undefined) {
    frame = `event: ${event}\nid: ${state.version}\ndata: ${JSON.stringify(state.data)}\n\n`;
    frames.set(state, frame);
  }
  return frame;
}

export interface EventStreamOptions<T> {
  /** The SSE event name of each state. */
  event: string;
  feed: ChangeFeed<T>;
  id: string;
  /** Called once when the stream ends, whatever ended it. */
  onStop: () => void;
}

/**
 * Answers with a Server-Sent Event stream of one resource's states from the shared feed: each
 * changed state as `event`, then `event: end` after a final one and the stream closes. It also
 * closes when the resource vanishes or the client goes away. Returns the function that ends it.
 */
export function sendEventStream<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  { event, feed, id, onStop }: EventStreamOptions<T>,
): () => void {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let stopped = false;
  let unsubscribe = () => {};
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearInterval(heartbeat);
    unsubscribe();
    if (!raw.writableEnded) raw.end();
    onStop();
  };
  // A comment line keeps proxies from closing an idle stream, and surfaces a gone client.
  const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
  // The response's 'close' fires when the client goes away (or the stream ended): it stops watching.
  raw.on('close', stop);
  raw.on('error', stop);
  // A client that left while the route was still checking the id closed before the listener.
  if (raw.destroyed || request.raw.destroyed) {
    stop();
    return stop;
  }
  unsubscribe = feed.subscribe(id, (state) => {
    if (stopped) return;
    if (!state) return stop();
    raw.write(frameOf(event, state));
    if (state.final) {
      raw.write('event: end\ndata: {}\n\n');
      stop();
    }
  });
  return stop;
}
