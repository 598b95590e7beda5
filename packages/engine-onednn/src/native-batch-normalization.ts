// A BatchNormalization layer whose training pass is one native forward and one native backward
// kernel on `onednn` (tfjs' own layer runs moments + batchNorm and their autodiff, ~25 s of
// JavaScript per ResNet-20 step). It serialises as the stock `BatchNormalization` (same class
// name, same config), so saved models load with plain tf.loadLayersModel; on any other backend,
// at inference, or for layouts the kernel does not cover it is the stock layer.
import { backend as currentBackend, engine, getBackend, mul, sub, type Tensor, tidy } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import type {
  BatchNormalization,
  BatchNormalizationLayerArgs,
} from '@tensorflow/tfjs-layers/dist/layers/normalization';
import { OnednnBackend } from './backend';
import { BATCH_NORM_TRAINING } from './kernels/batch-norm-training';
import { BACKEND_NAME } from './kernels/kernel-utils';

type LayerVariableLike = { read(): Tensor; write(value: Tensor): unknown };
type Internals = {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: LayerVariableLike;
  beta: LayerVariableLike;
  movingMean: LayerVariableLike;
  movingVariance: LayerVariableLike;
};
type Kwargs = Parameters<BatchNormalization['call']>[1];
type BatchNormalizationClass = new (args?: BatchNormalizationLayerArgs) => BatchNormalization;

let nativeClass: BatchNormalizationClass | undefined;

/**
 * The stock moving-average update, orig - (orig - value) * (1 - momentum), written into the
 * variable's buffer when the backend allows it: per layer and step that replaces six tiny tfjs
 * kernel dispatches (whose bookkeeping costs more than the arithmetic on C values).
 */
function movingAverageInPlace(variable: LayerVariableLike, value: Tensor, momentum: number): boolean {
  const b = currentBackend();
  const target = variable.read();
  if (!(b instanceof OnednnBackend) || !b.data.has(value.dataId) || !b.canMutate(target.dataId)) return false;
  const m = b.values(target.dataId);
  const v = b.values(value.dataId);
  // Rounded to float32 after every operation, exactly as the tf-ops path (sub, mul, sub), so a
  // run that resumes from a checkpoint (whose first update takes that path) matches bit for bit.
  const decay = Math.fround(1 - momentum);
  for (let i = 0; i < m.length; i++) {
    m[i] = Math.fround(m[i]! - Math.fround(Math.fround(m[i]! - v[i]!) * decay));
  }
  b.markMutated(target.dataId);
  return true;
}

/** The layer class, made on first use (tfjs-layers does not export the stock class itself). */
export function nativeBatchNormalizationClass(): BatchNormalizationClass {
  if (nativeClass) return nativeClass;
  // An explicit name keeps the probe from consuming an auto-generated layer name.
  const probe = layers.batchNormalization({ name: '__onednn_batch_norm_probe__' });
  const Stock = (Object.getPrototypeOf(probe) as { constructor: BatchNormalizationClass }).constructor;

  class NativeBatchNormalization extends Stock {
    static className = 'BatchNormalization';

    override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const self = this as unknown as Internals;
      const training = (kwargs as Record<string, unknown>)['training'] === true;
      const axis = self.axis >= 0 ? self.axis : self.axis + x.rank;
      if (
        !training ||
        getBackend() !== BACKEND_NAME ||
        x.rank < 2 ||
        axis !== x.rank - 1 ||
        !self.center ||
        !self.scale ||
        x.dtype !== 'float32'
      ) {
        return super.call(inputs, kwargs);
      }
      return tidy(() => {
        const [y, batchMean, batchVariance] = engine().runKernel<Tensor[]>(
          BATCH_NORM_TRAINING,
          { x, gamma: self.gamma.read(), beta: self.beta.read() },
          { epsilon: self.epsilon },
        );
        // The stock layer's moving-average update; in place once the variable's buffer is one
        // this backend owns (the first update, through tf ops, gives it one).
        const decay = 1 - self.momentum;
        for (const [variable, value] of [
          [self.movingMean, batchMean],
          [self.movingVariance, batchVariance],
        ] as const) {
          if (movingAverageInPlace(variable, value!, self.momentum)) continue;
          tidy(() => {
            const orig = variable.read();
            variable.write(sub(orig, mul(sub(orig, value!), decay)));
          });
        }
        return y!;
      });
    }
  }
  nativeClass = NativeBatchNormalization;
  return nativeClass;
}

/** Drop-in for tf.layers.batchNormalization(args). */
export function batchNormalization(args?: BatchNormalizationLayerArgs): BatchNormalization {
  return new (nativeBatchNormalizationClass())(args);
}
