import type { CheckpointHeader } from './checkpoint.codec';

/** What a resumed run is now: the spec's hash and the backend that will continue it. */
export interface ResumeContext {
  specHash: string;
  name: string;
  numerics: string;
}

export interface ResumeWarning {
  message: string;
  fields: Record<string, string>;
}

/**
 * Why continuing from this checkpoint will not reproduce an uninterrupted run bit for bit: another
 * spec, another backend, or the same backend with another engine version, instruction set or
 * thread count (oneDNN picks kernels and splits reductions by both). Resuming still works; the
 * warnings say the result is no longer bit-exact.
 */
export function resumeWarnings(header: CheckpointHeader, now: ResumeContext): ResumeWarning[] {
  const warnings: ResumeWarning[] = [];
  if (header.specHash !== now.specHash) {
    warnings.push({
      message: 'resuming a checkpoint written for a different spec',
      fields: { checkpointSpecHash: header.specHash, specHash: now.specHash },
    });
  }
  if (header.backend !== now.name) {
    warnings.push({
      message: 'resuming on a different backend: results are not bit-identical',
      fields: { checkpointBackend: header.backend, backend: now.name },
    });
  } else if (header.numerics !== undefined && header.numerics !== now.numerics) {
    warnings.push({
      message:
        'resuming with a different engine version, instruction set or thread count: results are not bit-identical',
      fields: { checkpointNumerics: header.numerics, numerics: now.numerics },
    });
  }
  return warnings;
}
