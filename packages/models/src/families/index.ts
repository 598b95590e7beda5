import type { ArchitectureFamily, ArchitectureSpec } from '@resnet-lab/spec';
import type { NetworkGraph } from '../graph';
import { buildAlexnetGraph } from './alexnet.builder';
import { buildCifarResnetGraph } from './cifar-resnet.builder';
import { buildGooglenetGraph } from './googlenet.builder';
import { buildLenet5Graph } from './lenet5.builder';
import { buildResnetGraph } from './resnet.builder';
import { buildVgg16SkipGraph } from './vgg16-skip.builder';
import { buildVggGraph } from './vgg.builder';

const BUILDERS: Record<ArchitectureFamily, (arch: ArchitectureSpec) => NetworkGraph> = {
  'cifar-resnet': buildCifarResnetGraph,
  'cifar-plain': buildCifarResnetGraph,
  resnet: buildResnetGraph,
  plain: buildResnetGraph,
  vgg: buildVggGraph,
  'vgg16-skip': buildVgg16SkipGraph,
  lenet5: buildLenet5Graph,
  alexnet: buildAlexnetGraph,
  googlenet: buildGooglenetGraph,
};

/** The layer record of a spec's network, shared by `buildModel` and `describeModel`. */
export function buildGraph(arch: ArchitectureSpec): NetworkGraph {
  return BUILDERS[arch.family](arch);
}
