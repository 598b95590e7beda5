/**
 * A network as plain data: every builder records its layers here once, and both `buildModel`
 * (tfjs layers) and `describeModel` (parameters and FLOPs, no tensors) read the same record, so
 * that the description cannot drift from what is built. Shapes exclude the batch axis and are
 * NHWC ([height, width, channels]) or [units] after flattening.
 */
export type Shape = readonly number[];

interface NodeBase {
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputShape: Shape;
}

export type LayerNode = NodeBase &
  (
    | { readonly kind: 'input' }
    | {
        readonly kind: 'conv';
        readonly filters: number;
        readonly kernel: number;
        readonly strides: number;
        readonly padding: 'same' | 'valid';
        readonly useBias: boolean;
      }
    | { readonly kind: 'batchNorm' }
    | { readonly kind: 'relu' }
    | { readonly kind: 'tanh' }
    /**
     * Local response normalisation across channels (Krizhevsky et al. 2012):
     * x / (bias + alpha * sum of x^2 over the depthRadius channels either side)^beta.
     */
    | {
        readonly kind: 'lrn';
        readonly depthRadius: number;
        readonly bias: number;
        readonly alpha: number;
        readonly beta: number;
      }
    /** Channels [start, start + size) of an image map: one group of a grouped convolution. */
    | { readonly kind: 'channelSlice'; readonly start: number; readonly size: number }
    | {
        readonly kind: 'maxPool' | 'avgPool';
        readonly poolSize: number;
        readonly strides: number;
        readonly padding: 'same' | 'valid';
      }
    | { readonly kind: 'globalAvgPool' }
    /** Spatial zero padding: [[top, bottom], [left, right]]. */
    | { readonly kind: 'zeroPad'; readonly padding: readonly [readonly [number, number], readonly [number, number]] }
    /** Appends `extra` all-zero channels (option A's shortcut). */
    | { readonly kind: 'channelPad'; readonly extra: number }
    | { readonly kind: 'add' }
    | { readonly kind: 'concat' }
    | { readonly kind: 'flatten' }
    | { readonly kind: 'dense'; readonly units: number }
    | { readonly kind: 'dropout'; readonly rate: number }
  );

export type LayerKind = LayerNode['kind'];

/** A handle on a recorded layer's output, as builders pass them around. */
export interface Ref {
  readonly name: string;
  readonly shape: Shape;
}

export interface NetworkGraph {
  readonly nodes: readonly LayerNode[];
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

/**
 * A spec the zoo cannot build (a window larger than its map, channels that do not split into the
 * groups asked for): the spec's fault, so the API answers 400 and the worker does not retry.
 */
export class ModelBuildError extends Error {
  override readonly name = 'ModelBuildError';
}

type Pad = 'same' | 'valid';

function spatialOut(size: number, kernel: number, strides: number, padding: Pad, layer: string): number {
  const out = padding === 'same' ? Math.ceil(size / strides) : Math.floor((size - kernel) / strides) + 1;
  if (out < 1)
    throw new ModelBuildError(`layer ${layer}: a ${kernel}x${kernel} window does not fit a ${size}x${size} map`);
  return out;
}

function image(ref: Ref): [number, number, number] {
  if (ref.shape.length !== 3)
    throw new ModelBuildError(`layer after ${ref.name} needs an image input, got [${ref.shape.join(', ')}]`);
  return [ref.shape[0]!, ref.shape[1]!, ref.shape[2]!];
}

/** Records layers with shape inference; layer names must be unique within a network. */
export class GraphBuilder {
  private readonly nodes: LayerNode[] = [];
  private readonly names = new Set<string>();
  private readonly inputNames: string[] = [];

  private push(node: LayerNode): Ref {
    if (this.names.has(node.name)) throw new ModelBuildError(`duplicate layer name ${node.name}`);
    this.names.add(node.name);
    this.nodes.push(node);
    return { name: node.name, shape: node.outputShape };
  }

  input(name: string, shape: Shape): Ref {
    this.inputNames.push(name);
    return this.push({ kind: 'input', name, inputs: [], outputShape: shape });
  }

  conv(
    x: Ref,
    name: string,
    o: { filters: number; kernel: number; strides?: number; padding?: Pad; useBias?: boolean },
  ): Ref {
    const [h, w] = image(x);
    const strides = o.strides ?? 1;
    const padding = o.padding ?? 'same';
    const outputShape = [
      spatialOut(h, o.kernel, strides, padding, name),
      spatialOut(w, o.kernel, strides, padding, name),
      o.filters,
    ];
    return this.push({
      kind: 'conv',
      name,
      inputs: [x.name],
      outputShape,
      filters: o.filters,
      kernel: o.kernel,
      strides,
      padding,
      useBias: o.useBias ?? false,
    });
  }

  batchNorm(x: Ref, name: string): Ref {
    return this.push({ kind: 'batchNorm', name, inputs: [x.name], outputShape: x.shape });
  }

  relu(x: Ref, name: string): Ref {
    return this.push({ kind: 'relu', name, inputs: [x.name], outputShape: x.shape });
  }

  tanh(x: Ref, name: string): Ref {
    return this.push({ kind: 'tanh', name, inputs: [x.name], outputShape: x.shape });
  }

  /** The paper's setting (AlexNet, GoogLeNet): 5 channels wide, k = 2, alpha = 1e-4, beta = 0.75. */
  lrn(x: Ref, name: string): Ref {
    image(x);
    return this.push({
      kind: 'lrn',
      name,
      inputs: [x.name],
      outputShape: x.shape,
      depthRadius: 2,
      bias: 2,
      alpha: 1e-4,
      beta: 0.75,
    });
  }

  channelSlice(x: Ref, name: string, start: number, size: number): Ref {
    const [h, w, c] = image(x);
    if (start < 0 || size < 1 || start + size > c) {
      throw new ModelBuildError(`layer ${name}: channels [${start}, ${start + size}) are not within ${c}`);
    }
    return this.push({ kind: 'channelSlice', name, inputs: [x.name], outputShape: [h, w, size], start, size });
  }

  pool(x: Ref, name: string, o: { type: 'max' | 'avg'; size: number; strides: number; padding: Pad }): Ref {
    const [h, w, c] = image(x);
    const outputShape = [
      spatialOut(h, o.size, o.strides, o.padding, name),
      spatialOut(w, o.size, o.strides, o.padding, name),
      c,
    ];
    return this.push({
      kind: o.type === 'max' ? 'maxPool' : 'avgPool',
      name,
      inputs: [x.name],
      outputShape,
      poolSize: o.size,
      strides: o.strides,
      padding: o.padding,
    });
  }

  globalAvgPool(x: Ref, name: string): Ref {
    const [, , c] = image(x);
    return this.push({ kind: 'globalAvgPool', name, inputs: [x.name], outputShape: [c] });
  }

  zeroPad(x: Ref, name: string, p: number): Ref {
    const [h, w, c] = image(x);
    return this.push({
      kind: 'zeroPad',
      name,
      inputs: [x.name],
      outputShape: [h + 2 * p, w + 2 * p, c],
      padding: [
        [p, p],
        [p, p],
      ],
    });
  }

  channelPad(x: Ref, name: string, extra: number): Ref {
    const [h, w, c] = image(x);
    return this.push({ kind: 'channelPad', name, inputs: [x.name], outputShape: [h, w, c + extra], extra });
  }

  add(xs: readonly Ref[], name: string): Ref {
    const shape = xs[0]!.shape;
    for (const x of xs) {
      if (x.shape.join() !== shape.join()) {
        throw new ModelBuildError(`layer ${name}: cannot add [${x.shape.join(', ')}] to [${shape.join(', ')}]`);
      }
    }
    return this.push({ kind: 'add', name, inputs: xs.map((x) => x.name), outputShape: shape });
  }

  concat(xs: readonly Ref[], name: string): Ref {
    const [h, w] = image(xs[0]!);
    const channels = xs.reduce((sum, x) => {
      const [xh, xw, xc] = image(x);
      if (xh !== h || xw !== w) throw new ModelBuildError(`layer ${name}: cannot concatenate maps of different sizes`);
      return sum + xc;
    }, 0);
    return this.push({ kind: 'concat', name, inputs: xs.map((x) => x.name), outputShape: [h, w, channels] });
  }

  flatten(x: Ref, name: string): Ref {
    const units = x.shape.reduce((a, b) => a * b, 1);
    return this.push({ kind: 'flatten', name, inputs: [x.name], outputShape: [units] });
  }

  dense(x: Ref, name: string, units: number): Ref {
    if (x.shape.length !== 1)
      throw new ModelBuildError(`layer ${name}: dense needs a flat input, got [${x.shape.join(', ')}]`);
    return this.push({ kind: 'dense', name, inputs: [x.name], outputShape: [units], units });
  }

  dropout(x: Ref, name: string, rate: number): Ref {
    return this.push({ kind: 'dropout', name, inputs: [x.name], outputShape: x.shape, rate });
  }

  finish(outputs: readonly Ref[]): NetworkGraph {
    return { nodes: [...this.nodes], inputs: [...this.inputNames], outputs: outputs.map((o) => o.name) };
  }
}
