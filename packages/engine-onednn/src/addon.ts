// Loads the native addon (build/Release/onednn.node) once. The engine is optional by construction:
// a missing build, a missing libdnnl or RESNET_LAB_DISABLE_ONEDNN=1 all end in a reason string,
// never in an exception at import time.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The flat functions the C++ side exports; shapes and geometry travel as integers. Every function
 * checks each array's length against the shape or geometry it is given and throws a RangeError
 * naming the kernel and the argument when they disagree.
 */
export interface OnednnAddon {
  conv2d(
    x: Float32Array,
    w: Float32Array,
    bias: Float32Array | null,
    y: Float32Array,
    geom: Int32Array,
    relu: boolean,
    weightKey: number,
  ): void;
  conv2dBackpropInput(dy: Float32Array, w: Float32Array, dx: Float32Array, geom: Int32Array, weightKey: number): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, geom: Int32Array): void;
  batchNormTraining(
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    n: number,
    h: number,
    w: number,
    c: number,
    epsilon: number,
  ): void;
  batchNormTrainingGrad(
    x: Float32Array,
    dy: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
    n: number,
    h: number,
    w: number,
    c: number,
    epsilon: number,
  ): void;
  batchNormInference(
    x: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    scale: Float32Array | null,
    offset: Float32Array | null,
    y: Float32Array,
    c: number,
    epsilon: number,
  ): void;
  relu(x: Float32Array, y: Float32Array): void;
  step(x: Float32Array, y: Float32Array, alpha: number): void;
  reluGrad(dy: Float32Array, x: Float32Array, dx: Float32Array): void;
  binary(
    op: number,
    a: Float32Array,
    aShape: Int32Array,
    b: Float32Array,
    bShape: Int32Array,
    out: Float32Array,
    outShape: Int32Array,
  ): void;
  addN(inputs: Float32Array[], out: Float32Array): void;
  reduce(op: number, x: Float32Array, out: Float32Array, outer: number, reduced: number, inner: number): void;
  pool2d(isMax: boolean, x: Float32Array, y: Float32Array, geom: Int32Array): void;
  maxPoolGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, geom: Int32Array): void;
  avgPoolGrad(dy: Float32Array, dx: Float32Array, geom: Int32Array): void;
  matmul(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    batch: number,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
    aBatchStride: number,
    bBatchStride: number,
    bias: Float32Array | null,
    relu: boolean,
  ): void;
  softmax(x: Float32Array, y: Float32Array, rows: number, cols: number): void;
  lrn(
    x: Float32Array,
    y: Float32Array,
    pixels: number,
    channels: number,
    radius: number,
    bias: number,
    alpha: number,
    beta: number,
  ): void;
  lrnGrad(
    x: Float32Array,
    y: Float32Array,
    dy: Float32Array,
    dx: Float32Array,
    pixels: number,
    channels: number,
    radius: number,
    bias: number,
    alpha: number,
    beta: number,
  ): void;
  softmaxCrossEntropy(
    labels: Float32Array,
    logits: Float32Array,
    losses: Float32Array,
    grad: Float32Array | null,
    rows: number,
    cols: number,
  ): void;
  sgdMomentum(
    w: Float32Array,
    g: Float32Array,
    v: Float32Array,
    lr: number,
    momentum: number,
    weightDecay: number,
    nesterov: boolean,
  ): void;
  slice(x: Float32Array, xShape: Int32Array, begin: Int32Array, size: Int32Array, out: Float32Array): void;
  pad(
    x: Float32Array,
    xShape: Int32Array,
    before: Int32Array,
    outShape: Int32Array,
    value: number,
    out: Float32Array,
  ): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  version(): string;
  dropWeights(key: number): void;
  adviseHugePages(array: Float32Array): boolean;
  cachedWeightCount(): number;
  /** Prepared oneDNN primitives held by all kernels' caches. */
  cachedPrimitiveCount(): number;
  /** Empties every primitive cache and the reordered-weights cache. */
  clearCaches(): void;
  /** The instruction set oneDNN's JIT kernels use on this CPU, e.g. "avx2". */
  cpuIsa(): string;
  /** The type convolutions multiply in; "bf16" throws a RangeError where the CPU lacks it. */
  setConvPrecision(precision: string): void;
  getConvPrecision(): 'fp32' | 'bf16';
  /** Whether the CPU multiplies bf16 natively (AVX512_BF16 or AMX). */
  nativeBf16(): boolean;
}

export type AddonLoad = { ok: true; addon: OnednnAddon } | { ok: false; reason: string };

export const DISABLE_ENV = 'RESNET_LAB_DISABLE_ONEDNN';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
/**
 * RESNET_LAB_ONEDNN_ADDON names another build of the addon: the memory check
 * (scripts/engine-memcheck.sh) runs the engine's tests against a copy built with AddressSanitizer.
 */
export const addonPath = process.env.RESNET_LAB_ONEDNN_ADDON ?? join(packageRoot, 'build', 'Release', 'onednn.node');

let cached: AddonLoad | undefined;

function load(): AddonLoad {
  // A library reads its one opt-out switch itself: the trainer and tests flip it per process.
  if (process.env[DISABLE_ENV] === '1') {
    return { ok: false, reason: `disabled by ${DISABLE_ENV}=1` };
  }
  if (!existsSync(addonPath)) {
    return {
      ok: false,
      reason:
        `native addon not built (${addonPath} missing; install libdnnl-dev and run ` +
        '`npm run install -w @resnet-lab/engine-onednn`)',
    };
  }
  try {
    const require = createRequire(import.meta.url);
    return { ok: true, addon: require(addonPath) as OnednnAddon };
  } catch (err) {
    return { ok: false, reason: `native addon failed to load: ${(err as Error).message}` };
  }
}

/** Forgets the load result so the next call re-reads RESNET_LAB_DISABLE_ONEDNN (tests only). */
export function resetAddonLoadForTesting(): void {
  cached = undefined;
}

/** Loads the addon on first use; later calls return the same result. */
export function loadAddon(): AddonLoad {
  cached ??= load();
  return cached;
}
