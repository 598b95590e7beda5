import type { ResolvedTrainingSpec } from '@resnet-lab/spec';
import type { BackendSelection } from './backend.selector';
import { TrainingError } from './training.errors';

/**
 * Puts the native engine's convolutions in bf16 for this run when the spec asks for it, and returns
 * the selection with the precision in its numerics (recorded in checkpoints) and in its reason (the
 * experiment's backend note). fp32 runs leave the engine as it is (fp32 unless a bf16 run is under
 * way in this process, which `resetPrecision` ends). bf16 needs the native engine on a CPU with
 * native bf16: anywhere else the run fails, not silently trains in fp32.
 */
export function applyPrecision(
  selection: BackendSelection,
  precision: ResolvedTrainingSpec['precision'],
): BackendSelection {
  if (precision === 'fp32') return selection;
  const engine = selection.engine;
  if (!engine) {
    const why = `training.precision "${precision}" needs the onednn backend; this run got ${selection.name}`;
    throw new TrainingError(why, { retryable: false });
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

/** Back to fp32 after a bf16 run; nothing to do after an fp32 one. */
export function resetPrecision(selection: BackendSelection, precision: ResolvedTrainingSpec['precision']): void {
  if (precision !== 'fp32') selection.engine?.setConvPrecision('fp32');
}
