import * as tf from '@tensorflow/tfjs';
import type { ArchitectureSpec } from '@resnet-lab/spec';
import { buildGraph } from './families';
import type { LayerNode, NetworkGraph } from './graph';
import {
  batchNorm,
  channelSlice,
  channelZeroPad,
  conv2d,
  dense,
  LocalResponseNormalization,
  relu,
  type InitOptions,
} from './layers';

function layerFor(
  node: Exclude<LayerNode, { kind: 'input' }>,
  seed: number | undefined,
  options: InitOptions,
  inputChannels: number,
): tf.layers.Layer {
  const name = node.name;
  switch (node.kind) {
    case 'conv':
      return conv2d(name, { ...node, seed });
    case 'batchNorm':
      return batchNorm(name, options.batchNormLayer);
    case 'relu':
      return relu(name);
    case 'tanh':
      return tf.layers.activation({ name, activation: 'tanh' });
    case 'lrn':
      return new LocalResponseNormalization(node);
    case 'channelSlice':
      return channelSlice(name, node.start, node.size, inputChannels);
    case 'maxPool':
      return tf.layers.maxPooling2d({ name, poolSize: node.poolSize, strides: node.strides, padding: node.padding });
    case 'avgPool':
      return tf.layers.averagePooling2d({
        name,
        poolSize: node.poolSize,
        strides: node.strides,
        padding: node.padding,
      });
    case 'globalAvgPool':
      return tf.layers.globalAveragePooling2d({ name });
    case 'zeroPad':
      return tf.layers.zeroPadding2d({ name, padding: [[...node.padding[0]], [...node.padding[1]]] });
    case 'channelPad':
      return channelZeroPad(name, node.extra);
    case 'add':
      return tf.layers.add({ name });
    case 'concat':
      return tf.layers.concatenate({ name, axis: -1 });
    case 'flatten':
      return tf.layers.flatten({ name });
    case 'dense':
      return dense(name, node.units, seed);
    case 'dropout':
      return tf.layers.dropout({ name, rate: node.rate });
  }
}

export function graphToModel(graph: NetworkGraph, options: InitOptions = {}): tf.LayersModel {
  const tensors = new Map<string, tf.SymbolicTensor>();
  graph.nodes.forEach((node, index) => {
    if (node.kind === 'input') {
      tensors.set(node.name, tf.input({ name: node.name, shape: [...node.outputShape] }));
      return;
    }
    const seed = options.seed === undefined ? undefined : options.seed * 100_003 + index;
    const inputs = node.inputs.map((n) => tensors.get(n)!);
    const layer = layerFor(node, seed, options, inputs[0]!.shape[3] ?? 0);
    tensors.set(node.name, layer.apply(inputs.length === 1 ? inputs[0]! : inputs) as tf.SymbolicTensor);
  });
  return tf.model({
    inputs: graph.inputs.map((n) => tensors.get(n)!),
    outputs: graph.outputs.map((n) => tensors.get(n)!),
  });
}

/**
 * Builds the network as a tfjs LayersModel of stock layers (loadable with `tf.loadLayersModel`).
 * Pure: creates weights on whatever backend the caller selected and touches nothing else.
 * Outputs are logits (no softmax); GoogLeNet with `auxHeads` has three outputs, main first.
 */
export function buildModel(arch: ArchitectureSpec, options: InitOptions = {}): tf.LayersModel {
  return graphToModel(buildGraph(arch), options);
}
