import { trainingMemory } from '@resnet-lab/models';
import { canonicalJson, resolveExperiment, type ExperimentSpec, type GridExpansion } from '@resnet-lab/spec';
import { AppError, type FieldError } from '../errors';

const GIB = 2 ** 30;
/** Point errors listed in one 400; the rest are counted. */
const MAX_LISTED = 20;

const gib = (bytes: number) => `${(bytes / GIB).toFixed(bytes < 10 * GIB ? 2 : 0)} GiB`;

/**
 * Refuses at submit what can never train: a spec whose training-memory lower bound (weights,
 * gradients and momentum, every layer's output for the batch; see trainingMemory) exceeds a
 * worker's memory. Such a run would otherwise be queued, crash its worker out of memory, and be
 * retried. Estimates are memoised per network and batch size.
 */
export function createMemoryGuard(workerMemoryBytes: number) {
  const cache = new Map<string, FieldError | null>();

  /** The one problem with `spec`, or null when it may fit. */
  function problem(spec: ExperimentSpec): FieldError | null {
    const architecture = resolveExperiment(spec).architecture;
    const batchSize = spec.training.batchSize;
    const key = canonicalJson({ architecture, batchSize });
    if (!cache.has(key)) {
      let found: FieldError | null = null;
      try {
        const m = trainingMemory(architecture, batchSize);
        if (m.totalBytes > workerMemoryBytes) {
          found = {
            field: 'training.batchSize',
            message:
              `training needs at least ${gib(m.totalBytes)} (weights ${gib(m.weightsBytes)}, ` +
              `gradients and momentum ${gib(m.optimizerBytes)}, ` +
              `activations of a batch of ${batchSize} ${gib(m.activationsBytes)}); ` +
              `a worker has ${gib(workerMemoryBytes)} (WORKER_MEMORY_MB): lower training.batchSize, ` +
              'architecture.inputSize or architecture.widthMultiplier',
          };
        }
      } catch {
        // A network the zoo cannot describe fails validation elsewhere, with its own message.
      }
      cache.set(key, found);
    }
    return cache.get(key)!;
  }

  return {
    /** 400 when the experiment cannot fit a worker. */
    checkExperiment(spec: ExperimentSpec): void {
      const found = problem(spec);
      if (found) throw new AppError('VALIDATION', `${found.field}: ${found.message}`, [found]);
    },

    /** 400 listing every point of the grid that cannot fit a worker. */
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
      if (unlisted > 0) errors.push({ field: '(grid)', message: `${unlisted} more points that do not fit` });
      throw new AppError(
        'VALIDATION',
        `${errors.length + unlisted} point(s) cannot fit a worker's memory; first: ${errors[0]!.message}`,
        errors,
      );
    },
  };
}

export type MemoryGuard = ReturnType<typeof createMemoryGuard>;
