import type { ArchitectureFamily, ArchitectureSpec } from '@resnet-lab/spec';
import type { NetworkGraph } from '../graph';
import { buildCifarResnetGraph } from './cifar-resnet.builder';
import { buildResnetGraph } from './resnet.builder';

const BUILDERS: Partial<Record<ArchitectureFamily, (arch: ArchitectureSpec) => NetworkGraph>> = {
  'cifar-resnet': buildCifarResnetGraph,
  'cifar-plain': buildCifarResnetGraph,
  resnet: buildResnetGraph,
  plain: buildResnetGraph,
};

/** The layer record of a spec's network, shared by `buildModel` and `describeModel`. */
export function buildGraph(arch: ArchitectureSpec): NetworkGraph {
  const builder = BUILDERS[arch.family];
  if (!builder) throw new Error(`family ${arch.family} is not implemented yet`);
  return builder(arch);
}
