/**
 * The model zoo: pure tfjs builders and analytic descriptions of every network family in
 * `ARCHITECTURE_CATALOG` (@resnet-lab/spec). Importing this module has no side effects and does
 * not choose a tfjs backend.
 */
export { buildModel, graphToModel } from './build-model';
export { DENSE_SCORE_AVERAGE, defaultDenseScales, denseEvaluationGraph } from './dense-evaluation';
export { convFlops, describeGraph, describeModel, layerCost } from './describe-model';
export type { LayerDescription, ModelDescription } from './describe-model';
export { buildGraph } from './families';
export { ModelBuildError } from './graph';
export type { LayerKind, LayerNode, NetworkGraph, Shape } from './graph';
export { batchNorm } from './layers';
export type { BatchNormLayerFactory, InitOptions } from './layers';
export { resolveInput } from './resolve-input';
export { graphTrainingMemory, trainingMemory } from './training-memory';
export type { TrainingMemory } from './training-memory';
