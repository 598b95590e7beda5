import { CheckpointCorruptError, type Repositories } from '@resnet-lab/db';
import type { InitSource } from '@resnet-lab/spec';

export interface InitCheckpoint {
  experiment: string;
  epoch: number;
  bytes: Uint8Array;
}

/**
 * The checkpoint a warm start from another experiment loads (a model directory is read by the
 * trainer itself): the epoch asked for, the newest (`last`) or the one with the
 * lowest validation error (`best`). Resolves with why not (a sentence for the experiment's error)
 * when the source has no such checkpoint: the experiment cannot run as specified.
 */
export async function readInitCheckpoint(
  repos: Repositories,
  from: InitSource,
  onDamaged: (error: Error) => void,
): Promise<InitCheckpoint | string> {
  const source = from.experiment;
  let found: { info: { epoch: number }; bytes: Uint8Array } | null | string;
  if (from.epoch === 'last') {
    found = await repos.checkpoints.newestValid(source, onDamaged);
  } else if (from.epoch === 'best') {
    const scored = (await repos.checkpoints.list(source)).filter((c) => c.validationError !== null);
    if (scored.length === 0) return `warm start: experiment ${source} has no checkpoint with a validation error`;
    const best = scored.reduce((a, b) => (b.validationError! < a.validationError! ? b : a));
    found = await readVerified(repos, source, best.epoch, onDamaged);
  } else {
    found = await readVerified(repos, source, from.epoch, onDamaged);
  }
  if (typeof found === 'string') return found;
  if (!found) {
    const which = from.epoch === 'last' ? 'no checkpoint' : `no checkpoint at epoch ${from.epoch}`;
    return `warm start: experiment ${source} has ${which} to start from`;
  }
  return { experiment: source, epoch: found.info.epoch, bytes: found.bytes };
}

/**
 * One named checkpoint, or why it cannot be used: a damaged one stays damaged, so the experiment
 * fails with that sentence instead of retrying (`last` skips back to an older valid one instead).
 */
async function readVerified(
  repos: Repositories,
  source: string,
  epoch: number,
  onDamaged: (error: Error) => void,
): Promise<{ info: { epoch: number }; bytes: Uint8Array } | null | string> {
  try {
    return await repos.checkpoints.read(source, epoch);
  } catch (error) {
    if (!(error instanceof CheckpointCorruptError)) throw error;
    onDamaged(error);
    return `warm start: experiment ${source}'s checkpoint at epoch ${epoch} is damaged (${error.message})`;
  }
}
