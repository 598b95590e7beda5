import * as tf from '@tensorflow/tfjs';

/** Which channels of a layer to return, and the largest map side to return them at. */
export interface ChannelSelection {
  first: number;
  count: number;
  maxSide: number;
}

export interface ChannelMaps {
  totalChannels: number;
  first: number;
  /** Channels returned: `count` of the selection, or fewer at the end of the layer. */
  count: number;
  height: number;
  width: number;
  /** Every `stride`-th row and column of the layer's map (1: the full map). */
  stride: number;
  /** The raw range that byte 0 and byte 255 stand for, per returned channel. */
  min: number[];
  max: number[];
  /** count x height x width bytes, channel after channel, each map row-major. */
  data: Uint8Array;
}

/**
 * Turns a layer's HWC activations into one 8-bit map per channel, normalised per channel:
 * byte = round(255 * (v - min) / (max - min)) with min and max taken over that channel's whole
 * (full-resolution) map. Per channel rather than per layer because the point is to see where
 * each feature fires: a layer-wide scale leaves most channels black next to a few strong ones.
 * The ranges are returned too, so a weak or dead channel is still recognisable as such; a
 * constant channel (max = min, e.g. a ReLU that never fires) is all zeros.
 *
 * Maps larger than `maxSide` are subsampled by an integer stride (every stride-th pixel, no
 * averaging: what is shown is still what the layer computed).
 */
export function normaliseChannels(
  values: ArrayLike<number>,
  shape: readonly number[],
  sel: ChannelSelection,
): ChannelMaps {
  const [h, w, c] = shape as [number, number, number];
  if (values.length !== h * w * c) throw new RangeError(`expected ${h * w * c} values for [${shape.join(', ')}]`);
  const first = Math.min(sel.first, c);
  const count = Math.max(0, Math.min(sel.count, c - first));
  const stride = Math.max(1, Math.ceil(Math.max(h, w) / sel.maxSide));
  const oh = Math.ceil(h / stride);
  const ow = Math.ceil(w / stride);
  const data = new Uint8Array(count * oh * ow);
  const min: number[] = [];
  const max: number[] = [];
  for (let k = 0; k < count; k++) {
    const ch = first + k;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = ch; i < values.length; i += c) {
      const v = values[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    min.push(lo);
    max.push(hi);
    const range = hi - lo;
    const base = k * oh * ow;
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        const v = values[(y * stride * w + x * stride) * c + ch]!;
        data[base + y * ow + x] = range > 0 ? Math.round((255 * (v - lo)) / range) : 0;
      }
    }
  }
  return { totalChannels: c, first, count, height: oh, width: ow, stride, min, max, data };
}

export interface ActivationResult {
  maps: ChannelMaps;
  /** The main output's logits and their softmax for this image. */
  logits: number[];
  probabilities: number[];
  predicted: number;
}

export class LayerNotFoundError extends Error {}

/**
 * One trained model, looked into at any of its layers: for a layer, a model truncated there (the
 * same layer objects and weights, so nothing is copied) that also returns the network's main
 * output, so one forward pass gives both the maps and the prediction. The truncated models share
 * the full model's weights: only `dispose()` (of the full model) frees them.
 */
export class ActivationProbe {
  private readonly truncated = new Map<string, tf.LayersModel>();
  readonly inputShape: number[];

  constructor(private readonly model: tf.LayersModel) {
    this.inputShape = (model.inputs[0]!.shape as number[]).slice(1);
  }

  /** The activations of `layer` for one normalised HWC image. */
  run(image: Float32Array, layer: string, sel: ChannelSelection): ActivationResult {
    const sub = this.truncatedAt(layer);
    const x = tf.tensor(image, [1, ...this.inputShape], 'float32');
    let outs: tf.Tensor[] = [];
    try {
      outs = sub.predict(x) as tf.Tensor[];
      const [act, out] = outs as [tf.Tensor, tf.Tensor];
      const maps = normaliseChannels(act.dataSync(), act.shape.slice(1), sel);
      const logits = Array.from(out.dataSync());
      return { maps, logits, probabilities: softmax(logits), predicted: argmax(logits) };
    } finally {
      tf.dispose([x, ...outs]);
    }
  }

  dispose(): void {
    this.truncated.clear();
    this.model.dispose();
  }

  private truncatedAt(layer: string): tf.LayersModel {
    let sub = this.truncated.get(layer);
    if (!sub) {
      const target = this.model.layers.find((l) => l.name === layer);
      if (!target || target.inboundNodes.length === 0 || this.model.inputLayers.includes(target)) {
        throw new LayerNotFoundError(`the network has no layer ${layer}`);
      }
      const shape = target.outputShape as (number | null)[];
      if (shape.length !== 4) {
        throw new RangeError(`layer ${layer} has no spatial output ([${shape.slice(1).join(', ')}]): no maps to show`);
      }
      sub = tf.model({
        inputs: this.model.inputs,
        outputs: [target.output as tf.SymbolicTensor, this.model.outputs[0]!],
      });
      this.truncated.set(layer, sub);
    }
    return sub;
  }
}

function argmax(v: number[]): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

function softmax(v: number[]): number[] {
  const m = Math.max(...v);
  const e = v.map((x) => Math.exp(x - m));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}
