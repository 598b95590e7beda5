import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app';
import { useTestApi } from './support/test-app';

const api = useTestApi();
let app: App;

beforeAll(async () => {
  app = await api.build();
});

const submit = (payload: object) => app.inject({ method: 'POST', url: '/v1/experiments', payload });
const synthetic = { name: 'synthetic', trainSize: 64, testSize: 16, imageSize: 32, classes: 4 };

describe('test protocols at submit', () => {
  it('accepts dense and multi-scale on a network ending in global average pooling or an fc head', async () => {
    const res = await submit({
      architecture: { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25 },
      dataset: synthetic,
      training: { epochs: 1, testProtocols: ['center', '10-crop', 'dense', 'multi-scale'], testScales: [28, 32, 40] },
    });
    expect(res.statusCode, res.body).toBe(201);
    // LeNet-5's fc head becomes convolutions over its 5x5 map; the default scales leave out 28.
    const lenet = await submit({
      architecture: { family: 'lenet5' },
      dataset: synthetic,
      training: { epochs: 1, testProtocols: ['dense', 'multi-scale'], denseScale: 40 },
    });
    expect(lenet.statusCode, lenet.body).toBe(201);
  });

  it('refuses them, naming the field, where the map or a size is too small', async () => {
    const lenet = await submit({
      architecture: { family: 'lenet5' },
      dataset: synthetic,
      training: { epochs: 1, testProtocols: ['dense'], denseScale: 28 },
    });
    expect(lenet.statusCode).toBe(400);
    expect(lenet.json().errors[0]).toMatchObject({ field: 'training.denseScale' });
    expect(lenet.json().errors[0].message).toMatch(/at 28 pixels the map before the fully connected head is 4x4/);

    const tiny = await submit({
      architecture: { family: 'cifar-resnet', depth: 8 },
      dataset: synthetic,
      training: { epochs: 1, testProtocols: ['multi-scale'], testScales: [4, 32] },
    });
    expect(tiny.statusCode).toBe(400);
    expect(tiny.json().errors[0].field).toMatch(/^training\.testScales/);
  });
});
