import { datasetDirProblem, type ExperimentSpec, type GridExpansion } from '@resnet-lab/spec';
import { AppError, type FieldError } from '../errors';

/** Point errors listed in one 400; the rest are counted. */
const MAX_LISTED = 20;

/**
 * Refuses at submit a dataset `dir` outside DATASET_ROOTS, before it is stored and queued. The
 * check is lexical: the API may not see the workers' disk, so the trainer checks the real path
 * (symlinks resolved) again before reading anything.
 */
export function createDatasetGuard(roots: readonly string[]) {
  function problem(spec: ExperimentSpec): FieldError | null {
    const dataset = spec.dataset;
    if (!('dir' in dataset)) return null;
    const found = datasetDirProblem(dataset.dir, roots);
    return found ? { field: 'dataset.dir', message: `dataset.dir ${found}` } : null;
  }

  return {
    /** 400 naming dataset.dir when the experiment's directory is not under a root. */
    checkExperiment(spec: ExperimentSpec): void {
      const found = problem(spec);
      if (found) throw new AppError('VALIDATION', found.message, [found]);
    },

    /** 400 listing every point of the grid whose directory is not under a root. */
    checkGrid(expansion: GridExpansion): void {
      const errors: FieldError[] = [];
      let unlisted = 0;
      for (const point of expansion.points) {
        const found = problem(point.spec);
        if (!found) continue;
        if (errors.length < MAX_LISTED) errors.push({ ...found, index: point.index, values: point.values });
        else unlisted++;
      }
      if (errors.length === 0) return;
      if (unlisted > 0) errors.push({ field: '(grid)', message: `${unlisted} more points with such a directory` });
      throw new AppError(
        'VALIDATION',
        `${errors.length + unlisted} point(s) read a dataset outside DATASET_ROOTS; first: ${errors[0]!.message}`,
        errors,
      );
    },
  };
}

export type DatasetGuard = ReturnType<typeof createDatasetGuard>;
