import * as tf from '@tensorflow/tfjs';

/**
 * Factories for the stock tfjs layers the models use. Every batch-norm layer of every family is
 * made by `batchNorm` below from a factory the caller may replace: a backend that runs batch norm
 * differently (the native oneDNN engine, one kernel each way) hands its own layer in, and the zoo
 * itself stays free of any backend.
 */

/** Makes a batch-norm layer; must serialise as the stock `BatchNormalization`. */
export type BatchNormLayerFactory = (args: {
  name: string;
  axis: number;
  momentum: number;
  epsilon: number;
}) => tf.layers.Layer;

export interface InitOptions {
  /** Seeds the weight initialisers; each layer derives its own seed from this one. */
  seed?: number;
  /** Batch-norm layers; tfjs' stock layer when omitted. */
  batchNormLayer?: BatchNormLayerFactory;
}

/**
 * Variance of a standard normal truncated at ±2 standard deviations, which is what tfjs draws from.
 * 1 - 4·φ(2) / (2·Φ(2) - 1); Keras divides its stddev by the square root, 0.8796256610342398.
 */
export const TRUNCATED_NORMAL_VARIANCE = 0.7737413;

/**
 * He et al. 2015 ("Delving deep"): weights of variance 2 / fan-in, as the ResNet paper and PyTorch's
 * `kaiming_normal_` use. tfjs' own `heNormal` draws from a normal truncated at 2σ without
 * correcting the spread, so its weights have only 0.77 of that variance; with batch norm after
 * every convolution, smaller weights mean a larger effective step (the gradient scales with
 * 1/‖w‖), and deep residual nets then trained unstably (loss spikes at lr 0.1, twice the final error
 * of the same recipe in PyTorch). Scaling by 1 / 0.7737 restores the paper's variance while
 * keeping a stock, serialisable initializer (`VarianceScaling`).
 */
export function heNormal(seed: number | undefined): ReturnType<typeof tf.initializers.varianceScaling> {
  return tf.initializers.varianceScaling({
    scale: 2 / TRUNCATED_NORMAL_VARIANCE,
    mode: 'fanIn',
    distribution: 'normal',
    ...(seed === undefined ? {} : { seed }),
  });
}

/**
 * Momentum 0.9 and epsilon 1e-5 are PyTorch's (and Caffe's ResNet) values, so results compare
 * with reimplementations there; tfjs' own defaults (0.99, 1e-3) are Keras'.
 */
export function batchNorm(
  name: string,
  factory: BatchNormLayerFactory = (args) => tf.layers.batchNormalization(args),
): tf.layers.Layer {
  return factory({ name, axis: -1, momentum: 0.9, epsilon: 1e-5 });
}

export function conv2d(
  name: string,
  o: { filters: number; kernel: number; strides: number; padding: 'same' | 'valid'; useBias: boolean; seed?: number },
): tf.layers.Layer {
  return tf.layers.conv2d({
    name,
    filters: o.filters,
    kernelSize: o.kernel,
    strides: o.strides,
    padding: o.padding,
    useBias: o.useBias,
    kernelInitializer: heNormal(o.seed),
  });
}

export function dense(name: string, units: number, seed?: number): tf.layers.Layer {
  return tf.layers.dense({ name, units, kernelInitializer: heNormal(seed) });
}

export function relu(name: string): tf.layers.Layer {
  return tf.layers.activation({ name, activation: 'relu' });
}

/**
 * Appends `extra` zero channels to an NHWC map with no weights at all: declared as channels-first,
 * the map's width and channel axes are the two "spatial" axes that ZeroPadding2D pads, so
 * padding the second of them on one side is a channel zero-pad. Stock layer, so checkpoints load
 * with plain `tf.loadLayersModel`.
 */
export function channelZeroPad(name: string, extra: number): tf.layers.Layer {
  return tf.layers.zeroPadding2d({
    name,
    dataFormat: 'channelsFirst',
    padding: [
      [0, 0],
      [0, extra],
    ],
  });
}

/**
 * Channels [start, start + size) of an NHWC map, with the same channels-first reading as
 * `channelZeroPad`: cropping the second "spatial" axis crops channels. Stock layer.
 */
export function channelSlice(name: string, start: number, size: number, channels: number): tf.layers.Layer {
  return tf.layers.cropping2D({
    name,
    dataFormat: 'channelsFirst',
    cropping: [
      [0, 0],
      [start, channels - start - size],
    ],
  });
}

/**
 * Local response normalisation across channels, tfjs' `localResponseNormalization` op as a layer
 * (tfjs-layers has none). Registered for serialisation, so an exported model reloads in this
 * process; elsewhere the class must be registered the same way.
 */
export class LocalResponseNormalization extends tf.layers.Layer {
  static readonly className = 'LocalResponseNormalization';
  private readonly depthRadius: number;
  private readonly bias: number;
  private readonly alpha: number;
  private readonly beta: number;

  constructor(args: { name: string; depthRadius: number; bias: number; alpha: number; beta: number }) {
    super({ name: args.name });
    this.depthRadius = args.depthRadius;
    this.bias = args.bias;
    this.alpha = args.alpha;
    this.beta = args.beta;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.localResponseNormalization(x as tf.Tensor4D, this.depthRadius, this.bias, this.alpha, this.beta);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      depthRadius: this.depthRadius,
      bias: this.bias,
      alpha: this.alpha,
      beta: this.beta,
    };
  }
}
tf.serialization.registerClass(LocalResponseNormalization);
