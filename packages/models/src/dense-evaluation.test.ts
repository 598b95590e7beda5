import { ArchitectureSpec, type ArchitectureSpecInput } from '@resnet-lab/spec';
import { describe, expect, it } from 'vitest';
import { DENSE_SCORE_AVERAGE, defaultDenseScales, denseEvaluationGraph } from './dense-evaluation';
import { buildGraph } from './families';
import { describeGraph } from './describe-model';
import { ModelBuildError } from './graph';

const arch = (input: ArchitectureSpecInput) => ArchitectureSpec.parse(input);
const node = (graph: ReturnType<typeof buildGraph>, name: string) => graph.nodes.find((n) => n.name === name)!;

describe('the network laid out for dense evaluation', () => {
  it("turns VGG's fc head into convolutions over the map it was trained on, then averages the scores", () => {
    // Trained at 64: five pools leave a 2x2 map. At 96 the map is 3x3: 2x2 windows of fc1.
    const vgg = arch({ family: 'vgg', depth: 11, inputSize: 64, widthMultiplier: 0.125, numClasses: 10 });
    const graph = denseEvaluationGraph(vgg, 96);
    expect(node(graph, 'fc1')).toMatchObject({ kind: 'conv', kernel: 2, padding: 'valid', useBias: true });
    expect(node(graph, 'fc1').outputShape).toEqual([2, 2, 512]);
    expect(node(graph, 'fc2')).toMatchObject({ kind: 'conv', kernel: 1, outputShape: [2, 2, 512] });
    expect(node(graph, 'logits')).toMatchObject({ kind: 'conv', kernel: 1, outputShape: [2, 2, 10] });
    expect(graph.outputs).toEqual([DENSE_SCORE_AVERAGE]);
    expect(node(graph, DENSE_SCORE_AVERAGE)).toMatchObject({ kind: 'globalAvgPool', outputShape: [10] });
    expect(graph.nodes.some((n) => n.kind === 'flatten' || n.kind === 'dense')).toBe(false);
    // The same weights as the trained net: each dense kernel holds as many numbers as its conv.
    expect(describeGraph(graph).trainableParams).toBe(describeGraph(buildGraph(vgg)).trainableParams);
  });

  it('builds a network ending in global average pooling at the new size as it is', () => {
    const resnet = arch({ family: 'cifar-resnet', depth: 20, inputSize: 32 });
    expect(denseEvaluationGraph(resnet, 40)).toEqual(buildGraph({ ...resnet, inputSize: 40 }));
  });

  it("keeps only GoogLeNet's main classifier", () => {
    const googlenet = arch({ family: 'googlenet', auxHeads: true, inputSize: 96, widthMultiplier: 0.25 });
    expect(buildGraph(googlenet).outputs.length).toBe(3);
    const graph = denseEvaluationGraph(googlenet, 128);
    expect(graph.outputs.length).toBe(1);
    expect(graph.nodes.some((n) => n.name.startsWith('aux'))).toBe(false);
  });

  it('refuses a size whose map is smaller than the trained one, or that changes the stem', () => {
    const vgg = arch({ family: 'vgg', depth: 11, inputSize: 64, widthMultiplier: 0.125 });
    expect(() => denseEvaluationGraph(vgg, 32)).toThrow(ModelBuildError);
    expect(() => denseEvaluationGraph(vgg, 32)).toThrow(
      /map before the fully connected head is 1x1, smaller than the 2x2/,
    );
    const resnet = arch({ family: 'resnet', depth: 18, inputSize: 32 });
    expect(() => denseEvaluationGraph(resnet, 224)).toThrow(/other layers than at 32 \(another stem\)/);
  });

  it('defaults multi-scale to the sizes the network can be evaluated at', () => {
    // 7/8, 1 and 9/8 of 32: LeNet-5's head cannot take the 4x4 map of 28 pixels.
    expect(defaultDenseScales(arch({ family: 'lenet5', inputSize: 32 }))).toEqual([32, 36]);
    expect(defaultDenseScales(arch({ family: 'cifar-resnet', depth: 20, inputSize: 32 }))).toEqual([28, 32, 36]);
  });
});
