import type { ArchitectureSpec } from '@resnet-lab/spec';
import { buildGraph } from './families';
import type { LayerKind, LayerNode, NetworkGraph, Shape } from './graph';

export interface LayerDescription {
  name: string;
  type: LayerKind;
  outputShape: number[];
  params: number;
  trainableParams: number;
  flops: number;
}

export interface ModelDescription {
  /** Every weight the saved model holds, batch-norm moving mean/variance included. */
  params: number;
  /** Conv kernels and biases, dense kernels and biases, batch-norm scale and offset. */
  trainableParams: number;
  /** Multiply-adds of one forward pass of one image (see `layerCost`). */
  flops: number;
  layers: LayerDescription[];
}

/**
 * Multiply-adds of a `k x k` convolution producing an `outH x outW x cout` map from `cin`
 * channels: the unit of the ResNet paper's FLOP figures.
 */
export function convFlops(outH: number, outW: number, kernel: number, cin: number, cout: number): number {
  return outH * outW * kernel * kernel * cin * cout;
}

/**
 * Cost of one layer. FLOPs follow the ResNet paper: the multiply-adds of convolutions and fully
 * connected layers only; biases, batch norm (foldable into the conv at inference), activations,
 * pooling, additions and padding count zero, being a rounding error next to the convolutions.
 * Batch norm holds four numbers per channel, of which scale and offset are trainable.
 */
export function layerCost(
  node: LayerNode,
  inputShape: Shape | undefined,
): Omit<LayerDescription, 'name' | 'type' | 'outputShape'> {
  const zero = { params: 0, trainableParams: 0, flops: 0 };
  switch (node.kind) {
    case 'conv': {
      const cin = inputShape![2]!;
      const weights = node.kernel * node.kernel * cin * node.filters + (node.useBias ? node.filters : 0);
      const [h, w] = node.outputShape;
      return { params: weights, trainableParams: weights, flops: convFlops(h!, w!, node.kernel, cin, node.filters) };
    }
    case 'batchNorm': {
      const c = node.outputShape[node.outputShape.length - 1]!;
      return { params: 4 * c, trainableParams: 2 * c, flops: 0 };
    }
    case 'dense': {
      const fanIn = inputShape![0]!;
      const weights = fanIn * node.units + node.units;
      return { params: weights, trainableParams: weights, flops: fanIn * node.units };
    }
    default:
      return zero;
  }
}

export function describeGraph(graph: NetworkGraph): ModelDescription {
  const shapes = new Map<string, Shape>();
  const layers: LayerDescription[] = [];
  for (const node of graph.nodes) {
    shapes.set(node.name, node.outputShape);
    const cost = layerCost(node, node.inputs.length > 0 ? shapes.get(node.inputs[0]!) : undefined);
    layers.push({ name: node.name, type: node.kind, outputShape: [...node.outputShape], ...cost });
  }
  const sum = (key: 'params' | 'trainableParams' | 'flops') => layers.reduce((s, l) => s + l[key], 0);
  return { params: sum('params'), trainableParams: sum('trainableParams'), flops: sum('flops'), layers };
}

/** Parameters, FLOPs and the layer table of the network `buildModel(arch)` builds, without tensors. */
export function describeModel(arch: ArchitectureSpec): ModelDescription {
  return describeGraph(buildGraph(arch));
}
