import { trainingMemory } from '@resnet-lab/models';
import { resolveArchitecture, type ExperimentSpec } from '@resnet-lab/spec';
import type { FieldError } from '../errors';
import { specGuard, type SubmitGuard } from './submit-guards';

const GIB = 2 ** 30;

const gib = (bytes: number) => `${(bytes / GIB).toFixed(bytes < 10 * GIB ? 2 : 0)} GiB`;

/**
 * Refuses at submit what can never train: a spec whose training-memory lower bound (weights,
 * gradients and momentum, every layer's output for the batch; see trainingMemory) exceeds a
 * worker's memory. Such a run would otherwise be queued, crash its worker out of memory, and be
 * retried. Estimates are memoised per network and batch size.
 */
export function createMemoryGuard(workerMemoryBytes: number): SubmitGuard {
  const cache = new Map<string, FieldError | null>();

  /** The one problem with `spec`, or null when it may fit. */
  function problem(spec: ExperimentSpec): FieldError | null {
    const architecture = resolveArchitecture(spec);
    const batchSize = spec.training.batchSize;
    // Plain JSON, not canonical: this runs for every point of a grid, and zod-parsed specs list
    // their fields in one order anyway (a different order only costs a cache miss).
    const key = JSON.stringify([architecture, batchSize]);
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

  return specGuard(problem, {
    detail: (found) => `${found.field}: ${found.message}`,
    points: "cannot fit a worker's memory",
    more: 'that do not fit',
  });
}
