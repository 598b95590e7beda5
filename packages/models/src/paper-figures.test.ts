import { ArchitectureSpec, type ArchitectureSpecInput } from '@resnet-lab/spec';
import { describe, expect, it } from 'vitest';
import { convFlops, describeModel } from './index';

const d = (input: ArchitectureSpecInput) => describeModel(ArchitectureSpec.parse(input));
const within = (actual: number, expected: number, tolerance: number) =>
  expect(Math.abs(actual / expected - 1), `${actual} vs ${expected}`).toBeLessThan(tolerance);

describe('published figures (docs/reference-figures.md)', () => {
  it.each([
    [18, 11.7e6, 1.8e9],
    [34, 21.8e6, 3.6e9],
    [50, 25.6e6, 3.8e9],
    [101, 44.5e6, 7.6e9],
    [152, 60.2e6, 11.3e9],
  ])('ResNet-%i, option B, 224x224x3, 1000 classes: params within 0.5%%, FLOPs within 3%%', (depth, params, flops) => {
    const r = d({ family: 'resnet', depth, shortcut: 'B' });
    within(r.trainableParams, params, 0.005);
    within(r.flops, flops, 0.03);
  });

  it('plain-34 costs 3.6e9 FLOPs, 18% of VGG-19 (19.6e9)', () => {
    const plain = d({ family: 'plain', depth: 34 });
    const vgg19 = d({ family: 'vgg', depth: 19 });
    within(plain.flops, 3.6e9, 0.03);
    within(vgg19.flops, 19.6e9, 0.03);
    expect(Math.round((100 * plain.flops) / vgg19.flops)).toBeGreaterThanOrEqual(18);
    expect(Math.round((100 * plain.flops) / vgg19.flops)).toBeLessThanOrEqual(19);
  });

  it('VGG-16 (configuration D, batch norm, 224x224x3, 1000 classes): 138M parameters, 15.3e9 FLOPs', () => {
    const r = d({ family: 'vgg', depth: 16 });
    within(r.trainableParams, 138e6, 0.005);
    within(r.flops, 15.3e9, 0.03);
    within(d({ family: 'vgg', depth: 19 }).trainableParams, 144e6, 0.005);
  });

  it("GoogLeNet (Table 1's layers, true 5x5 branches, batch norm, no aux heads): about 6.8M", () => {
    // Table 1's layer shapes add up to 7.0M; its per-layer parameter column rounds them low and
    // sums to 6.8M (torchvision's 6.6M swaps the 5x5 branch for a 3x3).
    const r = d({ family: 'googlenet', depth: 22 });
    within(r.trainableParams, 6.8e6, 0.04);
    expect(d({ family: 'googlenet', depth: 22, auxHeads: true }).trainableParams).toBeGreaterThan(r.trainableParams);
  });

  it('LeNet-5 (32x32x1): about 60k parameters; AlexNet: about 60M', () => {
    within(d({ family: 'lenet5', depth: 5 }).trainableParams, 60e3, 0.05);
    within(d({ family: 'alexnet', depth: 8 }).trainableParams, 60e6, 0.05);
  });

  it('inception 5x5 branch, 28x28x192 to 32 channels: ~120M multiply-adds, ~12.4M with a 1x1 reduction to 16', () => {
    within(convFlops(28, 28, 5, 192, 32), 120e6, 0.01);
    // Inception 3a is exactly that branch: input 28x28x192, 5x5 reduce 16, 5x5 32.
    const layers = d({ family: 'googlenet', depth: 22 }).layers;
    const flops = (name: string) => layers.find((l) => l.name === name)!.flops;
    within(flops('inception3a_5x5_reduce'), 2.4e6, 0.01);
    within(flops('inception3a_5x5'), 10e6, 0.01);
    within(flops('inception3a_5x5_reduce') + flops('inception3a_5x5'), 12.4e6, 0.01);
  });
});

describe('shortcut options', () => {
  it('option A adds no parameters at all (trainable or not) over the plain net', () => {
    for (const [res, plain, depth] of [
      ['resnet', 'plain', 34],
      ['resnet', 'plain', 50],
      ['cifar-resnet', 'cifar-plain', 56],
    ] as const) {
      const a = d({ family: res, depth, shortcut: 'A' });
      const p = d({ family: plain, depth });
      expect(a.params).toBe(p.params);
      expect(a.trainableParams).toBe(p.trainableParams);
    }
  });

  it('C > B > A in parameters, for basic and bottleneck blocks', () => {
    for (const [family, depth] of [
      ['resnet', 34],
      ['resnet', 50],
      ['cifar-resnet', 20],
    ] as const) {
      const [a, b, c] = (['A', 'B', 'C'] as const).map((shortcut) => d({ family, depth, shortcut }).trainableParams);
      expect(c).toBeGreaterThan(b!);
      expect(b).toBeGreaterThan(a!);
    }
  });

  it('projection weights grow with k squared', () => {
    for (const shortcut of ['B', 'C'] as const) {
      const base = d({ family: 'resnet', depth: 18, shortcut, shortcutKernel: 1 }).layers.filter((l) =>
        l.name.endsWith('_shortcut_conv'),
      );
      expect(base.length).toBe(shortcut === 'B' ? 3 : 8);
      for (const k of [3, 5, 7] as const) {
        const proj = d({ family: 'resnet', depth: 18, shortcut, shortcutKernel: k }).layers.filter((l) =>
          l.name.endsWith('_shortcut_conv'),
        );
        expect(proj.map((l) => l.params)).toEqual(base.map((l) => k * k * l.params));
        expect(proj.map((l) => l.outputShape)).toEqual(base.map((l) => l.outputShape));
      }
    }
  });

  it('the skip kernel of vgg16-skip grows H with k squared', () => {
    const h = (k: 1 | 7) =>
      d({ family: 'vgg16-skip', depth: 16, shortcutKernel: k }).layers.filter((l) => l.name.endsWith('_skip_conv'));
    expect(h(7).map((l) => l.params)).toEqual(h(1).map((l) => 49 * l.params));
  });

  it('padding modes change layers but not counts', () => {
    for (const family of ['resnet', 'googlenet'] as const) {
      const depth = family === 'resnet' ? 18 : 22;
      const sym = d({ family, depth, padding: 'symmetric' });
      const same = d({ family, depth, padding: 'tf-same' });
      expect([sym.params, sym.flops]).toEqual([same.params, same.flops]);
      expect(sym.layers.some((l) => l.type === 'zeroPad')).toBe(true);
      expect(same.layers.some((l) => l.type === 'zeroPad')).toBe(false);
    }
  });
});

describe('small inputs', () => {
  it.each([
    ['resnet', 18, 32, [4, 4, 512]],
    ['resnet', 18, 28, [4, 4, 512]],
    ['plain', 34, 32, [4, 4, 512]],
    ['vgg', 16, 28, [1, 1, 512]],
    ['vgg16-skip', 16, 28, [1, 1, 512]],
    ['alexnet', 8, 32, [4, 4, 256]],
    ['googlenet', 22, 32, [8, 8, 1024]],
    ['lenet5', 5, 28, [4, 4, 16]],
  ] as const)('%s-%i at %ix%i keeps a usable last map', (family, depth, inputSize, shape) => {
    const layers = d({ family, depth, inputSize }).layers;
    const lastMap = layers.filter((l) => l.outputShape.length === 3).at(-1)!;
    expect(lastMap.outputShape).toEqual(shape);
  });
});
