import { datasetDirProblem, type ExperimentSpec } from '@resnet-lab/spec';
import type { FieldError } from '../errors';
import { specGuard, type SubmitGuard } from './submit-guards';

/**
 * Refuses at submit a dataset `dir` outside DATASET_ROOTS, before it is stored and queued. The
 * check is lexical: the API may not see the workers' disk, so the trainer checks the real path
 * (symlinks resolved) again before reading anything.
 */
export function createDatasetGuard(roots: readonly string[]): SubmitGuard {
  function problem(spec: ExperimentSpec): FieldError | null {
    const dataset = spec.dataset;
    if (!('dir' in dataset)) return null;
    const found = datasetDirProblem(dataset.dir, roots);
    return found ? { field: 'dataset.dir', message: `dataset.dir ${found}` } : null;
  }

  return specGuard(problem, {
    detail: (found) => found.message,
    points: 'read a dataset outside DATASET_ROOTS',
    more: 'with such a directory',
  });
}

export type DatasetGuard = ReturnType<typeof createDatasetGuard>;
