// Registration: idempotent, not the default backend, thread count honoured and validated. What
// happens without the addon (a reason, nothing registered) is fallback.test.ts's subject.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { isOnednnAvailable, onednnInfo, onednnUnavailableReason, registerOnednnBackend } from './index';
import { ENGINE, SKIP_NOTE } from './testing/engine';

describe('registerOnednnBackend' + SKIP_NOTE, () => {
  it.skipIf(!ENGINE.ok)('registers once, does not become the default, and applies the thread count', async () => {
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

  it.skipIf(!ENGINE.ok)('rejects a thread count that is not a positive integer', () => {
    const result = registerOnednnBackend({ threads: 0 });
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/threads/) });
  });
});
