import { describe, expect, it } from 'vitest';
import type { CheckpointHeader } from './checkpoint.codec';
import { resumeWarnings } from './resume.compat';

const header = (over: Partial<CheckpointHeader>) =>
  ({
    specHash: 'h',
    backend: 'onednn',
    numerics: 'onednn: oneDNN 2.6.0, avx2, 2 threads',
    ...over,
  }) as CheckpointHeader;
const now = { specHash: 'h', name: 'onednn', numerics: 'onednn: oneDNN 2.6.0, avx2, 2 threads' };

describe('resumeWarnings', () => {
  it('is silent when spec, backend and numerics match', () => {
    expect(resumeWarnings(header({}), now)).toEqual([]);
  });

  it('flags another thread count, ISA or engine version on the same backend', () => {
    const warnings = resumeWarnings(header({ numerics: 'onednn: oneDNN 2.6.0, avx2, 16 threads' }), now);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/thread count.*not bit-identical/);
    expect(warnings[0]!.fields).toEqual({
      checkpointNumerics: 'onednn: oneDNN 2.6.0, avx2, 16 threads',
      numerics: now.numerics,
    });
  });

  it('flags another backend and another spec', () => {
    const messages = resumeWarnings(header({ backend: 'cpu', specHash: 'other' }), now).map((w) => w.message);
    expect(messages).toEqual([
      'resuming a checkpoint written for a different spec',
      'resuming on a different backend: results are not bit-identical',
    ]);
  });

  it('accepts checkpoints written before numerics were recorded', () => {
    expect(resumeWarnings(header({ numerics: undefined }), now)).toEqual([]);
  });
});
