import * as tf from '@tensorflow/tfjs';
import type { ExperimentSpec } from '@resnet-lab/spec';
import type { StoredNormalizer } from './checkpoint.codec';
import { modelFromCheckpoint } from './checkpoint-model';

/**
 * A checkpoint as a stock tfjs LayersModel: `modelJson` is the content of a model.json whose
 * weights manifest points at "weights.bin", `weights` that file's bytes. tf.loadLayersModel reloads
 * them (from files, over HTTP, or via tf.io.fromMemory) with no project code. The model outputs
 * logits of images normalised as in training: `userDefinedMetadata.normalization` holds how
 * (value = (byte - offset[i]) x scale[i], i over the height x width x channels image), where the
 * checkpoint recorded it.
 */
export async function checkpointToLayersModel(
  spec: ExperimentSpec,
  bytes: Uint8Array,
): Promise<{ modelJson: object; weights: Uint8Array }> {
  const { model, checkpoint } = modelFromCheckpoint(spec, bytes);
  try {
    let captured: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        captured = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const a = captured!;
    const weightData =
      a.weightData instanceof ArrayBuffer ? a.weightData : concatBuffers(a.weightData as ArrayBuffer[]);
    const modelJson = {
      modelTopology: a.modelTopology,
      format: a.format ?? 'layers-model',
      generatedBy: a.generatedBy,
      convertedBy: a.convertedBy ?? null,
      weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
      userDefinedMetadata: {
        checkpointEpoch: checkpoint.header.epoch,
        specHash: checkpoint.header.specHash,
        ...(checkpoint.normalizer ? { normalization: normalizationMetadata(checkpoint.normalizer) } : {}),
      },
    };
    return { modelJson, weights: new Uint8Array(weightData) };
  } finally {
    model.dispose();
  }
}

/** The normalisation as plain JSON, one offset and scale per input value (HWC order). */
function normalizationMetadata(n: StoredNormalizer) {
  return {
    kind: n.kind,
    formula: '(byte - offset[i]) * scale[i], i over the HWC image',
    offset: Array.from(n.offset),
    scale: Array.from(n.scale),
  };
}

function concatBuffers(parts: ArrayBuffer[]): ArrayBuffer {
  const total = parts.reduce((a, p) => a + p.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), at);
    at += p.byteLength;
  }
  return out.buffer;
}
