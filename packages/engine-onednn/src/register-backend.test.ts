// Registration: idempotent, not the default backend, thread count honoured and validated; where
// the addon is missing it says why and registers nothing.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { isOnednnAvailable, onednnInfo, onednnUnavailableReason, registerOnednnBackend } from './index';

describe('registerOnednnBackend', () => {
  it('registers once, does not become the default, and applies the thread count', async () => {
    const first = registerOnednnBackend({ threads: 1 });
    if (!first.ok) {
      expect(isOnednnAvailable()).toBe(false);
      expect(onednnUnavailableReason()).toBe(first.reason);
      expect(tf.findBackend('onednn')).toBeNull();
      return;
    }
    expect(registerOnednnBackend({ threads: 1 })).toEqual({ ok: true });
    expect(isOnednnAvailable()).toBe(true);
    expect(onednnUnavailableReason()).toBeNull();
    expect(onednnInfo()).toMatchObject({ threads: 1, version: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
    expect(tf.engine().registryFactory['onednn']?.priority).toBeLessThan(tf.engine().registryFactory['cpu']!.priority);
    await tf.setBackend('onednn');
    expect(tf.getBackend()).toBe('onednn');
    // Kernels without a native version fall through to tfjs' cpu kernels.
    expect(Array.from(tf.cumsum(tf.tensor1d([1, 2, 3])).dataSync())).toEqual([1, 3, 6]);
  });

  it('rejects a thread count that is not a positive integer', () => {
    const result = registerOnednnBackend({ threads: 0 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(isOnednnAvailable() ? /threads/ : /\S/);
  });
});
