import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  createTestQueuePrefix,
  REPO_ROOT,
  startStack,
  type Stack,
  type TestDatabase,
  type TestQueuePrefix,
} from '@resnet-lab/testing';

/**
 * Tokens end to end: `resnet-lab token create` on the server's database, the real API process in
 * AUTH_MODE=tokens, and the CLI using the token (or not) over HTTP; then revoked.
 */
let database: TestDatabase;
let queue: TestQueuePrefix;
let stack: Stack;

beforeAll(async () => {
  database = await createTestDatabase();
  queue = await createTestQueuePrefix();
  stack = await startStack({ databaseUrl: database.url, queuePrefix: queue.prefix, apiEnv: { AUTH_MODE: 'tokens' } });
});

afterAll(async () => {
  await stack?.stop();
  await queue?.cleanup();
  await database?.drop();
});

function cli(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'apps/cli/bin/resnet-lab.mjs'), ...args], {
      env: { ...process.env, RESNET_LAB_API: stack.apiUrl, DATABASE_URL: database.url, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('resnet-lab token', () => {
  it('creates tokens that the API accepts within their scope, lists them and revokes one', async () => {
    const read = await cli(['token', 'create', '--scope', 'read', '--name', 'alice', '--project', 'vision-lab']);
    expect(read.code).toBe(0);
    const secret = read.stdout.split('\n')[0]!;
    expect(secret).toMatch(/^rlt_[A-Za-z0-9_-]{40,}$/);
    expect(read.stdout).toMatch(/shown once/);

    // Without a token the API refuses; with it, reading works and submitting needs more.
    const anonymous = await cli(['status']);
    expect(anonymous.code).toBe(3);
    expect(anonymous.stderr).toMatch(/bearer token/);
    expect((await cli(['status'], { RESNET_LAB_TOKEN: secret })).code).toBe(0);
    const submit = await cli(['submit', '--preset', 'cifar/depth', '--scale', '0.01', '--token', secret]);
    expect(submit.code).toBe(3);
    expect(submit.stderr).toMatch(/needs a token with scope submit/);

    const list = await cli(['token', 'list', '--json']);
    expect(list.code).toBe(0);
    const listed = JSON.parse(list.stdout) as { id: string; name: string; scope: string }[];
    expect(listed).toEqual([
      expect.objectContaining({ name: 'alice', scope: 'read', project: 'vision-lab', revokedAt: null }),
    ]);
    expect(list.stdout).not.toContain(secret);

    expect((await cli(['token', 'revoke', listed[0]!.id])).code).toBe(0);
    const after = await cli(['status'], { RESNET_LAB_TOKEN: secret });
    expect(after.code).toBe(3);
    expect(after.stderr).toMatch(/unknown or revoked/);
  });

  it('names the scopes when --scope is wrong, and the rule when --project is', async () => {
    const bad = await cli(['token', 'create', '--scope', 'root']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--scope must be one of read, submit, admin/);
    const badProject = await cli(['token', 'create', '--scope', 'read', '--project', 'Not A Name']);
    expect(badProject.code).toBe(2);
    expect(badProject.stderr).toMatch(/--project: a project is 1-63 characters/);
  });
});
