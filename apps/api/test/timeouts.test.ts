// A client that opens a request and never finishes it must not hold its socket: the API answers
// 408 and closes it, while other clients keep being served.
import net from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app';
import { useTestApi } from './support/test-app';

const api = useTestApi();
let app: App;
let port: number;

beforeAll(async () => {
  app = await api.build({ requestTimeoutMs: 1_000 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as net.AddressInfo).port;
});

const SLOW_BODY =
  'POST /v1/grids HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{';
const SLOW_HEADERS = 'GET /v1/grids HTTP/1.1\r\nHost: x\r\n';

/** Sends `opening`, then a byte every 200 ms; resolves with what the server sent back. */
function trickle(opening: string): Promise<{ reply: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    const drip = setInterval(() => socket.write(opening === SLOW_HEADERS ? 'X' : ' '), 200);
    socket.on('connect', () => socket.write(opening));
    socket.on('data', (chunk) => (reply += chunk.toString()));
    const done = (closed: boolean) => {
      clearInterval(drip);
      socket.destroy();
      resolve({ reply, closed });
    };
    socket.on('close', () => done(true));
    socket.on('error', () => done(true));
    // Generous: the check runs every second, and a loaded machine may be slow to run it.
    setTimeout(() => done(false), 30_000);
  });
}

describe('request timeouts', () => {
  it('answers a body that never completes with 408 problem+json and closes it; others are served', async () => {
    const started = Date.now();
    const slow = trickle(SLOW_BODY);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const { reply, closed } = await slow;
    expect(closed).toBe(true);
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(reply).toMatch(/content-type: application\/problem\+json/i);
    expect(reply).toMatch(/connection: close/i);
    // Not before the timeout: the trickle kept the socket busy, the request still ran out of time.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  });

  it('answers a request whose headers never end with 408 and closes it', async () => {
    const started = Date.now();
    const { reply, closed } = await trickle(SLOW_HEADERS);
    expect(closed).toBe(true);
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  });

  it('still takes a body that arrives in pieces within the deadline', async () => {
    const body = JSON.stringify({ name: 'pieces' });
    const { reply } = await new Promise<{ reply: string }>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      let reply = '';
      socket.on('connect', () => {
        socket.write(
          `POST /v1/grids?dryRun=true HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`,
        );
        socket.write(body.slice(0, 5));
        setTimeout(() => socket.write(body.slice(5)), 100);
      });
      socket.on('data', (chunk) => (reply += chunk.toString()));
      socket.on('close', () => resolve({ reply }));
    });
    // Read whole and parsed: the dry run of the (all-defaults) grid, not a 408 or a parse error.
    expect(reply).toMatch(/^HTTP\/1\.1 200/);
    expect(reply).toMatch(/"dryRun":true,"total":1/);
  });
});
