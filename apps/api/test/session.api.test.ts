// The token cookie (AUTH_MODE=tokens): a browser keeps its bearer token as an HttpOnly,
// SameSite=Strict cookie so that event streams and download links, which cannot send the header,
// are authorised; the cookie authorises reading only, never a change. Real Postgres, the real app.
import { beforeAll, describe, expect, it } from 'vitest';
import { TINY_SPEC } from '@resnet-lab/testing';
import type { App } from '../src/app';
import { useTestApi } from './support/test-app';

const api = useTestApi();
let app: App;
let token = '';
let tokenId = '';

beforeAll(async () => {
  app = await api.build({ authMode: 'tokens' });
  const created = await api.deps.repos.tokens.create('browser', 'submit', 'lab');
  token = created.token;
  tokenId = created.view.id;
});

const withCookie = (cookie: string) => ({ cookie });

describe('token cookie', () => {
  it('is set from the header, HttpOnly and SameSite=Strict, and lets GETs, streams and downloads through', async () => {
    const set = await app.inject({ method: 'POST', url: '/v1/session', headers: { authorization: `Bearer ${token}` } });
    expect(set.statusCode).toBe(204);
    const header = String(set.headers['set-cookie']);
    expect(header).toMatch(/^resnet_lab_token=rlt_[^;]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
    const cookie = header.split(';')[0]!;

    const grid = await app.inject({
      method: 'POST',
      url: '/v1/grids',
      headers: { authorization: `Bearer ${token}` },
      payload: { base: TINY_SPEC },
    });
    const gridId = grid.json().grid.id as string;
    const list = await app.inject({ method: 'GET', url: '/v1/grids', headers: withCookie(cookie) });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((g: { id: string }) => g.id)).toEqual([gridId]);
    // A download link: no checkpoint yet, so 404, not 401.
    const experimentId = (
      await app.inject({ method: 'GET', url: `/v1/grids/${gridId}/experiments`, headers: withCookie(cookie) })
    ).json().items[0].experiment.id as string;
    const download = await app.inject({
      method: 'GET',
      url: `/v1/experiments/${experimentId}/checkpoints/1`,
      headers: withCookie(cookie),
    });
    expect(download.statusCode).toBe(404);

    // An event stream over a real socket (inject would wait for the stream's end).
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const controller = new AbortController();
    const stream = await fetch(`${url}/v1/grids/${gridId}/events`, {
      headers: withCookie(cookie),
      signal: controller.signal,
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    controller.abort();
  });

  it('never authorises a change, and stops working when the token is revoked', async () => {
    const cookie = `resnet_lab_token=${token}`;
    for (const [method, url] of [
      ['POST', '/v1/grids'],
      ['POST', '/v1/experiments'],
      ['DELETE', `/v1/tokens/${tokenId}`],
    ] as const) {
      const res = await app.inject({ method, url, headers: withCookie(cookie), payload: { base: TINY_SPEC } });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
    }
    await api.deps.repos.tokens.revoke(tokenId);
    const after = await app.inject({ method: 'GET', url: '/v1/grids', headers: withCookie(cookie) });
    expect(after.statusCode).toBe(401);
    expect(after.json().detail).toMatch(/unknown or revoked/);
  });

  it('is cleared by DELETE /v1/session', async () => {
    const other = (await api.deps.repos.tokens.create('reader', 'read', 'lab')).token;
    const res = await app.inject({
      method: 'DELETE',
      url: '/v1/session',
      headers: { authorization: `Bearer ${other}` },
    });
    expect(res.statusCode).toBe(204);
    expect(String(res.headers['set-cookie'])).toMatch(
      /^resnet_lab_token=; Path=\/; Max-Age=0; HttpOnly; SameSite=Strict$/,
    );
  });
});
