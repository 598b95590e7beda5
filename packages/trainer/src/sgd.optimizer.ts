import * as tf from '@tensorflow/tfjs';
import type { OnednnEngineExtras } from './backend.selector';

/**
 * SGD with momentum and coupled L2 weight decay, in the form of Caffe and PyTorch's torch.optim.SGD
 * (the form the ResNet paper's numbers come from):
 *   g <- grad + weightDecay * w;  v <- momentum * v + g;  w <- w - lr * v
 * Decay applies to every trainable weight, batch-norm scale and offset included, as in the paper's
 * Caffe set-up. The velocity buffers are plain tensors so that checkpoints can save and restore them.
 */
export class SgdMomentumOptimizer {
  readonly velocities: tf.Variable[];

  constructor(
    readonly variables: tf.Variable[],
    private readonly momentum: number,
    private readonly weightDecay: number,
    /**
     * The oneDNN engine's fused in-place update (the same rule, one native call per variable);
     * undefined: tf ops on whatever backend is active.
     */
    private readonly fusedUpdate?: OnednnEngineExtras['sgdMomentumUpdate'],
  ) {
    this.velocities = variables.map((v) => {
      const zeros = tf.zerosLike(v);
      const velocity = tf.variable(zeros, false, undefined, 'float32');
      zeros.dispose(); // the variable holds its own reference to the data
      return velocity;
    });
  }

  /** Applies one update; `grads` is keyed by variable name as tf.variableGrads returns it. */
  apply(grads: tf.NamedTensorMap, learningRate: number): void {
    if (this.fusedUpdate) {
      const options = { lr: learningRate, momentum: this.momentum, weightDecay: this.weightDecay };
      this.variables.forEach((w, i) => {
        const g = grads[w.name];
        if (g) this.fusedUpdate!(w, g, this.velocities[i]!, options);
      });
      return;
    }
    tf.tidy(() => {
      const lr = tf.scalar(learningRate);
      const mu = tf.scalar(this.momentum);
      const wd = tf.scalar(this.weightDecay);
      this.variables.forEach((w, i) => {
        const g = grads[w.name];
        if (!g) return; // a weight that does not influence the loss (unused branch) is left alone
        const v = this.velocities[i]!;
        const decayed = this.weightDecay === 0 ? g : g.add(w.mul(wd));
        const nextV = v.mul(mu).add(decayed);
        v.assign(nextV);
        w.assign(w.sub(nextV.mul(lr)));
      });
    });
  }

  /** Velocity values in variable order, for checkpoints. */
  state(): Float32Array[] {
    return this.velocities.map((v) => v.dataSync() as Float32Array);
  }

  restore(values: Float32Array[]): void {
    if (values.length !== this.velocities.length) {
      throw new RangeError(
        `checkpoint has ${values.length} momentum buffers, the model needs ${this.velocities.length}`,
      );
    }
    this.velocities.forEach((v, i) => {
      const value = values[i]!;
      if (value.length !== v.size) {
        throw new RangeError(`momentum buffer ${i} has ${value.length} values, expected ${v.size}`);
      }
      tf.tidy(() => v.assign(tf.tensor(value, v.shape, 'float32')));
    });
  }

  dispose(): void {
    this.velocities.forEach((v) => v.dispose());
  }
}
