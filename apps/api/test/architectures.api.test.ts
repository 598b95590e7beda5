import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { describeModel } from '@resnet-lab/models';
import { registerProblemDetails } from '../src/plugins/problem-details.plugin';
import { architecturesRoutes } from '../src/routes/architectures.routes';

// These routes touch neither Postgres nor Redis, so the plugin is mounted on its own.
const app = Fastify();
beforeAll(async () => {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerProblemDetails(app);
  await app.register(architecturesRoutes);
  await app.ready();
});
afterAll(() => app.close());

describe('architectures', () => {
  it('lists every family with its options', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/architectures' });
    expect(res.statusCode).toBe(200);
    const families = res.json().families.map((f: { family: string }) => f.family);
    expect(families).toEqual(expect.arrayContaining(['resnet', 'plain', 'cifar-resnet', 'cifar-plain', 'lenet5']));
  });

  it('describes a network exactly as describeModel does', async () => {
    const arch = { family: 'resnet', depth: 34, shortcut: 'B' };
    const res = await app.inject({ method: 'POST', url: '/v1/architectures/describe', payload: arch });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const expected = describeModel(
      JSON.parse(JSON.stringify((await import('@resnet-lab/spec')).ArchitectureSpec.parse(arch))),
    );
    expect(body.trainableParams).toBe(expected.trainableParams);
    expect(body.flops).toBe(expected.flops);
    expect(body.trainableParams / 21.8e6).toBeCloseTo(1, 1);
  });

  it('names the field when a combination is impossible', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/architectures/describe',
      payload: { family: 'cifar-resnet', depth: 21 },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { field: string }) => e.field)).toContain('depth');
  });
});
