// The `onednn` backend: tfjs' CPU backend (so every kernel without a native version still runs)
// plus what native kernels need from it: pooled output buffers and weight-cache keys.
import { totalmem } from 'node:os';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { BackendValues, DataId, DataType } from '@tensorflow/tfjs-core';
import type { OnednnAddon } from './addon';

// Fresh large Float32Arrays cost page faults on first touch (~3 ms per 8 MiB here). Smaller
// buffers are left to the allocator: recycling them from 16 KiB up made a batch-1 step 30% faster
// but let RSS creep up (~60 MiB over 1,000 small-ResNet steps, memory.test.ts), as long-lived
// pooled blocks fragment malloc's heap between the short-lived ones.
const POOL_MIN_ELEMENTS = 64 * 1024;
// Buffers of 4 MiB and more hold at least one aligned 2 MiB huge page.
const HUGE_PAGE_MIN_ELEMENTS = 1024 * 1024;
// Recycled buffers are the training step's high-water mark anyway; the cap only bounds what an
// idle pool keeps (ResNet-18 at 224x224 and batch 16 cycles through ~1.5 GiB of activations).
const POOL_MAX_BYTES = Math.max(2 ** 30, Math.floor(totalmem() / 4));

type Entry = { values: BackendValues; dtype: DataType; refCount: number };

// Weight-cache keys are process-wide like the native cache they index: a backend made after
// tf.engine().reset() must not hand out a key that an earlier backend's tensor still holds there.
let nextWeightKey = 1;

export class OnednnBackend extends MathBackendCPU {
  readonly addon: OnednnAddon;
  private readonly free = new Map<number, Float32Array[]>();
  private pooledBytes = 0;
  // buffer -> the one array that may be recycled with it. A buffer leaves this map as soon as a
  // second view of it is stored (tfjs' Slice returns subarrays), so aliased memory is never reused.
  private readonly ownerOf = new WeakMap<ArrayBufferLike, Float32Array>();
  private readonly live = new WeakSet<Float32Array>();
  private readonly weightKeys = new WeakMap<DataId, number>();

  constructor(addon: OnednnAddon) {
    super();
    this.addon = addon;
    // MathBackendCPU's first write prints an "install tfjs-node" banner that does not apply here.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  /**
   * Tests set this to fill every output buffer with NaN before a kernel runs, so a kernel that
   * leaves part of its output unwritten (recycled buffers hold stale data) fails parity.
   */
  poisonOutputs = false;

  /** Whether fresh large buffers are advised to use transparent huge pages (Linux). */
  hugePages = process.env.RESNET_LAB_ONEDNN_HUGE_PAGES !== '0';

  /** Buffers of poolable size that had to be freshly allocated (page faults): a diagnostic. */
  freshPoolableAllocations = 0;

  /** An output buffer for a native kernel; its contents are garbage, kernels overwrite it all. */
  allocFloat32(size: number): Float32Array {
    const buffer = this.takeFloat32(size);
    if (this.poisonOutputs) buffer.fill(NaN);
    return buffer;
  }

  private takeFloat32(size: number): Float32Array {
    if (size >= POOL_MIN_ELEMENTS) {
      const list = this.free.get(size);
      const reused = list?.pop();
      if (reused) {
        this.pooledBytes -= reused.byteLength;
        return reused;
      }
      this.freshPoolableAllocations++;
    }
    // Small buffers are not pooled but are still tracked, so that SGD may update them in place.
    const fresh = new Float32Array(size);
    if (size >= HUGE_PAGE_MIN_ELEMENTS && this.hugePages) this.addon.adviseHugePages(fresh);
    this.ownerOf.set(fresh.buffer, fresh);
    return fresh;
  }

  /**
   * A tensor's values as a Float32Array for the addon. tfjs' cpu Cast from bool/int32 to float32
   * keeps the source array (Uint8Array, Int32Array) under the float32 dtype, so those are
   * converted here rather than reinterpreted by C++.
   */
  values(dataId: DataId): Float32Array {
    const values = (this.data.get(dataId) as Entry).values;
    return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
  }

  override write(values: BackendValues, shape: number[], dtype: DataType): DataId {
    if (values instanceof Float32Array) {
      const owner = this.ownerOf.get(values.buffer);
      if (owner !== undefined && (owner !== values || this.live.has(values))) {
        this.ownerOf.delete(values.buffer);
      } else if (owner === values) {
        this.live.add(values);
      }
    }
    return super.write(values, shape, dtype);
  }

  // dataSync() hands the backing array to user code, which may keep it after dispose: recyclable
  // arrays are copied so the pool can never overwrite what a caller holds.
  override readSync(dataId: DataId): BackendValues {
    const values = super.readSync(dataId);
    if (values instanceof Float32Array && this.ownerOf.get(values.buffer) === values) {
      return values.slice();
    }
    return values;
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const entry = this.data.has(dataId) ? (this.data.get(dataId) as Entry) : undefined;
    const released = super.disposeData(dataId, force);
    if (entry !== undefined && !this.data.has(dataId)) {
      const key = this.weightKeys.get(dataId);
      if (key !== undefined) {
        this.addon.dropWeights(key);
        this.weightKeys.delete(dataId);
      }
      this.recycle(entry.values);
    }
    return released;
  }

  private recycle(values: BackendValues): void {
    if (!(values instanceof Float32Array) || this.ownerOf.get(values.buffer) !== values) return;
    this.live.delete(values);
    if (values.length < POOL_MIN_ELEMENTS) return;
    if (this.pooledBytes + values.byteLength > POOL_MAX_BYTES) {
      this.ownerOf.delete(values.buffer);
      return;
    }
    let list = this.free.get(values.length);
    if (!list) this.free.set(values.length, (list = []));
    list.push(values);
    this.pooledBytes += values.byteLength;
  }

  /** A stable key under which the addon caches this tensor's weights in oneDNN's layout. */
  weightKey(dataId: DataId): number {
    let key = this.weightKeys.get(dataId);
    if (key === undefined) {
      key = nextWeightKey++;
      this.weightKeys.set(dataId, key);
    }
    return key;
  }

  /** Whether a tensor's buffer may be updated in place: one reference, recyclable, not aliased. */
  canMutate(dataId: DataId): boolean {
    if (!this.data.has(dataId)) return false;
    const entry = this.data.get(dataId) as Entry;
    const v = entry.values;
    return entry.refCount === 1 && v instanceof Float32Array && this.ownerOf.get(v.buffer) === v;
  }

  /** Call after writing a tensor's buffer in place: cached reorders of it are stale. */
  markMutated(dataId: DataId): void {
    const key = this.weightKeys.get(dataId);
    if (key !== undefined) this.addon.dropWeights(key);
  }

  /** Drops pooled buffers, e.g. between benchmarks of different models. */
  trimPool(): void {
    this.free.clear();
    this.pooledBytes = 0;
  }

  pooledByteCount(): number {
    return this.pooledBytes;
  }

  override dispose(): void {
    this.trimPool();
    // Primitives and reordered weights belong to this backend's tensors and settings.
    this.addon.clearCaches();
    super.dispose();
  }
}
