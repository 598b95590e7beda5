// registerOnednnBackend: loads the addon, registers the `onednn` backend and its kernels. Never
// throws for a missing engine: callers get { ok: false, reason } and pick another backend.
import { registerBackend } from '@tensorflow/tfjs-core';
import { loadAddon } from './addon';
import { OnednnBackend } from './backend';
import { BACKEND_NAME } from './kernels/kernel-utils';
import { registerAllKernels } from './register-all';

export const ONEDNN_BACKEND_NAME = BACKEND_NAME;

// Below tfjs' cpu backend (1): registering must not change which backend tfjs picks by default;
// the trainer selects `onednn` explicitly with tf.setBackend.
const PRIORITY = 0;

export type RegisterOnednnResult = { ok: true } | { ok: false; reason: string };
export type RegisterOnednnOptions = {
  /** OpenMP threads for oneDNN and the element-wise kernels; default: all cores. */
  threads?: number;
};

let backendRegistered = false;

export function registerOnednnBackend(options: RegisterOnednnOptions = {}): RegisterOnednnResult {
  const load = loadAddon();
  if (!load.ok) return { ok: false, reason: load.reason };
  try {
    if (options.threads !== undefined) {
      if (!Number.isInteger(options.threads) || options.threads < 1) {
        return { ok: false, reason: `threads must be a positive integer, got ${options.threads}` };
      }
      load.addon.setNumThreads(options.threads);
    }
    if (!backendRegistered) {
      registerAllKernels();
      registerBackend(BACKEND_NAME, () => new OnednnBackend(load.addon), PRIORITY);
      backendRegistered = true;
    }
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: `onednn backend registration failed: ${(err as Error).message}` };
  }
}

export function isOnednnAvailable(): boolean {
  return loadAddon().ok;
}

/** Why the engine is unavailable, or null when it is available. */
export function onednnUnavailableReason(): string | null {
  const load = loadAddon();
  return load.ok ? null : load.reason;
}

export type OnednnInfo = { version: string; isa: string; threads: number; cachedWeights: number };

/** Runtime facts for logs and experiment records; null when the engine is unavailable. */
export function onednnInfo(): OnednnInfo | null {
  const load = loadAddon();
  if (!load.ok) return null;
  return {
    version: load.addon.version(),
    isa: load.addon.cpuIsa(),
    threads: load.addon.getNumThreads(),
    cachedWeights: load.addon.cachedWeightCount(),
  };
}
