import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where `npm run build -w @resnet-lab/web` writes the dashboard. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../web/build/', import.meta.url));

/**
 * The dashboard's client-side routes. A reload or a shared link lands on one of these, so each
 * answers with index.html and the app routes itself. Listed rather than a catch-all, so that an
 * unknown /v1 path still gets the API's problem+json 404.
 */
export const DASHBOARD_ROUTES = ['/', '/grids/:id', '/experiments/:id', '/compare', '/workers'] as const;

const MISSING_BUILD = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>resnet-lab: dashboard not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>The dashboard is not built</h1>
<p>The API is running (<a href="/healthz">/healthz</a>, <a href="/openapi.json">/openapi.json</a>, <code>/v1/…</code>),
but the web app has not been built. Build it with</p>
<pre>npm run build -w @resnet-lab/web</pre>
<p>and reload this page (<code>npm run up</code> builds it too).</p>
</body></html>
`;

/**
 * Serves the built dashboard: hashed assets under /assets/ (cached for good) and index.html for
 * the app's routes (never cached, so a rebuild shows at the next load). index.html is read per
 * request, so a missing build is a clear 503 page rather than a failed start, and a build made
 * while the API runs is picked up without a restart.
 */
export async function webPlugin(app: FastifyInstance, options: { root: string }): Promise<void> {
  const index = path.join(options.root, 'index.html');

  await app.register(fastifyStatic, {
    root: path.join(options.root, 'assets'),
    prefix: '/assets/',
    // Asset names carry a content hash: a changed file is a new URL.
    maxAge: '365d',
    immutable: true,
    decorateReply: false,
  });

  const sendIndex = async (reply: FastifyReply) => {
    let html: string;
    try {
      html = await readFile(index, 'utf8');
    } catch {
      return reply.status(503).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(MISSING_BUILD);
    }
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  };

  for (const url of DASHBOARD_ROUTES) {
    app.get(url, { schema: { hide: true } }, (_request, reply) => sendIndex(reply));
  }
}
