import { ARCHITECTURE_CATALOG, defaultTestScales, type ArchitectureSpec } from '@resnet-lab/spec';
import { buildGraph } from './families';
import { ModelBuildError, type LayerNode, type NetworkGraph, type Shape } from './graph';

/** The node appended to a converted head: the class-score map averaged into one score per class. */
export const DENSE_SCORE_AVERAGE = 'dense_score_average';

/**
 * The network `arch` describes, laid out to score an image of `inputSize` pixels densely with the
 * weights trained at `arch.inputSize` (Simonyan & Zisserman 2015, Sec. 3.2):
 * - a network ending in global average pooling is simply built at the new size: its classifier
 *   already sees the average over every position;
 * - a fully connected head over a fixed map (VGG, AlexNet, LeNet-5) becomes convolutions: the first
 *   dense layer a `valid` convolution whose window is the map it was trained on, the later ones 1x1
 *   convolutions, and the resulting class-score map is averaged over its positions.
 * Only the main output is kept (GoogLeNet's auxiliary classifiers do not score test images).
 * Layer names are kept so that trained weights load by name; a dense kernel [h*w*c, units] holds
 * the same numbers, in the same order, as the convolution kernel [h, w, c, units] (tfjs flattens
 * NHWC maps row by row). At the training size the result equals the ordinary forward pass.
 * A ModelBuildError says why a network cannot be evaluated densely at that size.
 */
export function denseEvaluationGraph(arch: ArchitectureSpec, inputSize: number): NetworkGraph {
  const trained = mainOutputOnly(buildGraph(arch));
  const at = mainOutputOnly(buildGraph({ ...arch, inputSize }));
  const flattenAt = at.nodes.findIndex((n) => n.kind === 'flatten');
  const features = flattenAt < 0 ? at.nodes : at.nodes.slice(0, flattenAt);
  sameFeatureWeights(trained, features, arch, inputSize);
  if (flattenAt < 0) return at;

  const flatten = at.nodes[flattenAt]!;
  const trainedMap = shapeOf(trained, trained.nodes.find((n) => n.kind === 'flatten')!.inputs[0]!);
  const map = shapeOf(at, flatten.inputs[0]!);
  const [h, w] = [trainedMap[0]!, trainedMap[1]!];
  if (map[0]! < h || map[1]! < w) {
    throw new ModelBuildError(
      `at ${inputSize} pixels the map before the fully connected head is ${map[0]}x${map[1]}, smaller ` +
        `than the ${h}x${w} it was trained on`,
    );
  }
  if (h !== w) throw new ModelBuildError(`a ${h}x${w} map cannot become a square convolution window`);

  const nodes: LayerNode[] = [...features];
  // After the flatten the head's layers act on a map: [rows, cols, units].
  let input = flatten.inputs[0]!;
  let shape: Shape = map;
  let first = true;
  for (const node of at.nodes.slice(flattenAt + 1)) {
    const inputs = [input];
    if (node.kind === 'dense') {
      const kernel = first ? h : 1;
      shape = [shape[0]! - kernel + 1, shape[1]! - kernel + 1, node.units];
      const conv = { kind: 'conv', filters: node.units, kernel, strides: 1, padding: 'valid', useBias: true } as const;
      nodes.push({ ...conv, name: node.name, inputs, outputShape: shape });
      first = false;
    } else if (node.kind === 'relu' || node.kind === 'tanh' || node.kind === 'dropout') {
      nodes.push({ ...node, inputs, outputShape: shape });
    } else {
      throw new ModelBuildError(`dense evaluation cannot convert the head's ${node.kind} layer ${node.name}`);
    }
    input = node.name;
  }
  if (input !== at.outputs[0]) throw new ModelBuildError('the fully connected head does not end in the output');
  nodes.push({ kind: 'globalAvgPool', name: DENSE_SCORE_AVERAGE, inputs: [input], outputShape: [shape[2]!] });
  return { nodes, inputs: at.inputs, outputs: [DENSE_SCORE_AVERAGE] };
}

/** The nodes the first output depends on, and that output alone. */
function mainOutputOnly(graph: NetworkGraph): NetworkGraph {
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const needed = new Set<string>();
  const pending = [graph.outputs[0]!];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (needed.has(name)) continue;
    needed.add(name);
    pending.push(...byName.get(name)!.inputs);
  }
  return { nodes: graph.nodes.filter((n) => needed.has(n.name)), inputs: graph.inputs, outputs: [graph.outputs[0]!] };
}

/**
 * The multi-scale protocol's default sizes for `arch` (7/8, 1 and 9/8 of its input size, see
 * `defaultTestScales`) that it can be evaluated at: a fully connected head drops the sizes whose
 * map is smaller than the one it was trained on, so the default never asks for what is refused.
 */
export function defaultDenseScales(arch: ArchitectureSpec): number[] {
  const size = arch.inputSize ?? ARCHITECTURE_CATALOG[arch.family].defaultInput.size;
  return defaultTestScales(size, ARCHITECTURE_CATALOG[arch.family].minInputSize).filter((s) => {
    try {
      denseEvaluationGraph({ ...arch, inputSize: size }, s);
      return true;
    } catch (error) {
      if (error instanceof ModelBuildError) return false;
      throw error;
    }
  });
}

function shapeOf(graph: NetworkGraph, name: string): Shape {
  return graph.nodes.find((n) => n.name === name)!.outputShape;
}

/**
 * The layers before the head must hold the same weights at both sizes: a family whose stem
 * depends on the input size (a strided stem for large images) cannot reuse them.
 */
function sameFeatureWeights(
  trained: NetworkGraph,
  features: readonly LayerNode[],
  arch: ArchitectureSpec,
  inputSize: number,
): void {
  const weightsOf = (nodes: readonly LayerNode[]) =>
    nodes
      .filter((n) => n.kind === 'conv' || n.kind === 'batchNorm' || n.kind === 'dense')
      .map((n) => {
        if (n.kind === 'conv') return `${n.name}:${n.kernel}/${n.filters}/${n.strides}/${n.padding}`;
        return `${n.name}:${n.kind === 'dense' ? n.units : ''}`;
      });
  const flattenTrained = trained.nodes.findIndex((n) => n.kind === 'flatten');
  const trainedFeatures = flattenTrained < 0 ? trained.nodes : trained.nodes.slice(0, flattenTrained);
  if (weightsOf(trainedFeatures).join() !== weightsOf(features).join()) {
    throw new ModelBuildError(
      `at ${inputSize} pixels ${arch.family} has other layers than at ${arch.inputSize} (another stem): ` +
        'dense evaluation needs the same layers at both sizes',
    );
  }
}
