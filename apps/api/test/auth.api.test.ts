// The security matrix: every operation of the OpenAPI document against no token, an unknown one, a
// revoked one, and one of each scope. Reading needs `read`, changing state `submit`, managing
// tokens `admin`; health checks stay open. Real Postgres, the real app.
import { beforeAll, describe, expect, it } from 'vitest';
import type { TokenScope } from '@resnet-lab/spec';
import { TINY_SPEC } from '@resnet-lab/testing';
import type { App } from '../src/app';
import { resolveAuthMode } from '../src/auth/auth-mode';
import { useTestApi } from './support/test-app';

const api = useTestApi();
let app: App;
const tokens: Partial<Record<TokenScope | 'revoked', string>> = {};

beforeAll(async () => {
  app = await api.build({ authMode: 'tokens' });
  for (const scope of ['read', 'submit', 'admin'] as const)
    tokens[scope] = (await api.deps.repos.tokens.create(scope, scope)).token;
  const revoked = await api.deps.repos.tokens.create('gone', 'admin');
  expect(await api.deps.repos.tokens.revoke(revoked.view.id)).toBe(true);
  tokens.revoked = revoked.token;
});

const NIL = '00000000-0000-0000-0000-000000000000';
type Who = 'none' | 'unknown' | 'revoked' | TokenScope;
const WHO: Who[] = ['none', 'unknown', 'revoked', 'read', 'submit', 'admin'];

function authorization(who: Who): Record<string, string> {
  if (who === 'none') return {};
  const token = who === 'unknown' ? 'rlt_not-a-token' : tokens[who]!;
  return { authorization: `Bearer ${token}` };
}

/** What each caller must get: refused (401/403) or let through to the route (anything else). */
function expected(who: Who, method: string, path: string): 401 | 403 | 'through' {
  if (!path.startsWith('/v1/')) return 'through';
  if (who === 'none' || who === 'unknown' || who === 'revoked') return 401;
  const need: TokenScope = path.startsWith('/v1/tokens')
    ? 'admin'
    : method === 'GET' || path === '/v1/session'
      ? 'read'
      : 'submit';
  const order = ['read', 'submit', 'admin'];
  return order.indexOf(who) >= order.indexOf(need) ? 'through' : 403;
}

describe('bearer tokens (AUTH_MODE=tokens)', () => {
  it('answers every operation for every caller as its scope allows', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, unknown>>;
    }>();
    const failures: string[] = [];
    let checked = 0;
    for (const [template, methods] of Object.entries(doc.paths)) {
      const url = template.replace(/\{([^}]+)\}/g, (_, name: string) => (/id$/i.test(name) ? NIL : '1'));
      for (const method of Object.keys(methods).map((m) => m.toUpperCase())) {
        for (const who of WHO) {
          const want = expected(who, method, template);
          // An allowed event stream stays open: only its refusals are checked here.
          if (want === 'through' && template.endsWith('/events')) continue;
          const res = await app.inject({
            method: method as 'GET',
            url,
            headers: authorization(who),
            ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }),
          });
          checked++;
          const ok = want === 'through' ? res.statusCode !== 401 && res.statusCode !== 403 : res.statusCode === want;
          if (!ok) failures.push(`${method} ${template} as ${who}: ${res.statusCode}, expected ${want}`);
          if (want === 401) {
            expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
            expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
            expect(res.json().errors[0].field).toBe('headers.authorization');
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  });

  it('cannot be side-stepped by spelling the path differently', async () => {
    for (const url of ['/%761/grids', '/v1//grids', '/v1/grids/', '/./v1/grids', '/%76%31/tokens']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).not.toBe(200);
      expect([401, 404], url).toContain(res.statusCode);
    }
  });

  it('lets a submit token create what a read token may then see, and names the scope it lacks', async () => {
    const submitted = await app.inject({
      method: 'POST',
      url: '/v1/grids',
      headers: authorization('submit'),
      payload: { base: TINY_SPEC },
    });
    expect(submitted.statusCode).toBe(201);
    const id = submitted.json().grid.id as string;
    const seen = await app.inject({ method: 'GET', url: `/v1/grids/${id}`, headers: authorization('read') });
    expect(seen.statusCode).toBe(200);
    const cancel = await app.inject({ method: 'POST', url: `/v1/grids/${id}/cancel`, headers: authorization('read') });
    expect(cancel.statusCode).toBe(403);
    expect(cancel.json().detail).toMatch(/needs a token with scope submit; this one \(read\) has read/);
  });

  it('lists tokens without their secrets and revokes one for good (admin)', async () => {
    const fresh = await api.deps.repos.tokens.create('temporary', 'read');
    const use = () =>
      app.inject({ method: 'GET', url: '/v1/grids', headers: { authorization: `Bearer ${fresh.token}` } });
    expect((await use()).statusCode).toBe(200);
    const list = await app.inject({ method: 'GET', url: '/v1/tokens', headers: authorization('admin') });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(fresh.token);
    const listed = list.json().tokens.find((t: { id: string }) => t.id === fresh.view.id);
    expect(listed).toMatchObject({ name: 'temporary', scope: 'read', revokedAt: null });
    expect(listed.lastUsedAt).not.toBeNull();
    const revoke = await app.inject({
      method: 'DELETE',
      url: `/v1/tokens/${fresh.view.id}`,
      headers: authorization('admin'),
    });
    expect(revoke.statusCode).toBe(204);
    expect((await use()).statusCode).toBe(401);
    const unknown = await app.inject({ method: 'DELETE', url: `/v1/tokens/${NIL}`, headers: authorization('admin') });
    expect(unknown.statusCode).toBe(404);
  });

  it('stores only a hash of each token', async () => {
    const rows = await api.database.db.apiToken.findMany();
    for (const secret of Object.values(tokens)) {
      expect(rows.some((r) => r.tokenHash === secret)).toBe(false);
      expect(JSON.stringify(rows)).not.toContain(secret);
    }
  });
});

describe('single-user mode', () => {
  it('is the default on loopback, tokens elsewhere, and is refused off loopback', () => {
    expect(resolveAuthMode('127.0.0.1', undefined)).toBe('none');
    expect(resolveAuthMode('::1', undefined)).toBe('none');
    expect(resolveAuthMode('0.0.0.0', undefined)).toBe('tokens');
    expect(resolveAuthMode('10.1.2.3', 'tokens')).toBe('tokens');
    expect(() => resolveAuthMode('0.0.0.0', 'none')).toThrow(/only allowed when HOST is a loopback address/);
  });
});
