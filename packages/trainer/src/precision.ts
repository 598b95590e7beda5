import type { ResolvedTrainingSpec } from '@resnet-lab/spec';
import type { BackendSelection } from './backend.selector';
import { TrainingError } from './training.errors';

/**
 * Puts the native engine's convolutions in the spec's precision for this run and returns the
 * selection with the precision in its numerics (recorded in checkpoints) and in its reason (the
 * experiment's backend note).
 * bf16 needs the native engine on a CPU with native bf16: anywhere else the run fails, not silently
 * trains in fp32. The engine is set back to fp32 by `resetPrecision` when the run ends.
 */
export function applyPrecision(
  selection: BackendSelection,
  precision: ResolvedTrainingSpec['precision'],
): BackendSelection {
  const engine = selection.engine;
  if (precision === 'fp32') {
    engine?.setConvPrecision('fp32');
    return selection;
  }
  if (!engine) {
    throw new TrainingError(
      `training.precision "${precision}" needs the onednn backend; this run got ${selection.name}`,
      {
        retryable: false,
      },
    );
  }
  try {
    engine.setConvPrecision(precision);
  } catch (error) {
    throw new TrainingError(`training.precision "${precision}": ${(error as Error).message}`, {
      retryable: false,
      cause: error,
    });
  }
  const note = `${precision} convolutions`;
  return { ...selection, reason: `${selection.reason}; ${note}`, numerics: `${selection.numerics}, ${note}` };
}

export function resetPrecision(selection: BackendSelection): void {
  selection.engine?.setConvPrecision('fp32');
}
