import type * as tf from '@tensorflow/tfjs';
import { resolveExperiment, type ExperimentSpec } from '@resnet-lab/spec';
import { decodeCheckpoint, type DecodedCheckpoint } from './checkpoint.codec';
import { buildSeededModel } from './seeded-model.builder';
import { setModelWeights } from './training.loop';

/**
 * The experiment's network with a checkpoint's weights (batch-norm statistics included), built from
 * stock tfjs layers on the current backend. The caller owns the model and disposes it.
 */
export function modelFromCheckpoint(
  spec: ExperimentSpec,
  bytes: Uint8Array,
): { model: tf.LayersModel; checkpoint: DecodedCheckpoint } {
  const checkpoint = decodeCheckpoint(bytes);
  const model = buildSeededModel(resolveExperiment(spec).architecture, spec.training.seed);
  try {
    setModelWeights(
      model,
      checkpoint.weights,
      checkpoint.header.weights.map((w) => w.name),
    );
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { model, checkpoint };
}
