import type { ActivationLayer, ArchitectureSpec } from '@resnet-lab/spec';
import { buildGraph, type LayerNode } from '@resnet-lab/models';

/**
 * The layers of a network whose outputs can be looked at, in network order, read off the zoo's
 * own layer record (no tensors, so it is cheap enough for a request handler). The roles follow
 * the zoo's naming (packages/models/src/blocks.ts closeBlock): a residual block sums its two
 * paths in `<block>_add` and ends in `<block>_out`, the closing ReLU; plain blocks have the same
 * `<block>_out` without the add. An Inception module's output is its concat.
 */
export function activationLayers(arch: ArchitectureSpec): ActivationLayer[] {
  return buildGraph(arch)
    .nodes.filter((node) => node.kind !== 'input')
    .map((node) => ({
      name: node.name,
      kind: node.kind,
      outputShape: [...node.outputShape],
      role: roleOf(node),
      spatial: node.outputShape.length === 3,
    }));
}

function roleOf(node: LayerNode): ActivationLayer['role'] {
  if (node.kind === 'add') return 'skip-add';
  if ((node.kind === 'relu' && node.name.endsWith('_out')) || node.kind === 'concat') return 'block-output';
  return 'layer';
}
