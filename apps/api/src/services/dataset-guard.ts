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
    const found = 'dir' in dataset ? datasetDirProblem(dataset.dir, roots) : null;
    if (found) return { field: 'dataset.dir', message: `dataset.dir ${found}` };
    // A warm start's model directory is read by the trainer under the same roots.
    const from = spec.init?.from;
    const model = from && 'modelDir' in from ? datasetDirProblem(from.modelDir, roots) : null;
    return model ? { field: 'init.from.modelDir', message: `init.from.modelDir ${model}` } : null;
  }

  return specGuard(problem, {
    detail: (found) => found.message,
    points: 'read a dataset or model outside DATASET_ROOTS',
    more: 'with such a directory',
  });
}

export type DatasetGuard = ReturnType<typeof createDatasetGuard>;
