import { createLogger } from '@resnet-lab/logger';
import { onednnUnavailableReason } from '@resnet-lab/engine-onednn';
import { ExperimentSpec, resolveExperiment } from '@resnet-lab/spec';
import { TINY_SPEC, useTestRepositories } from '@resnet-lab/testing';
import { readCheckpointHeader } from '@resnet-lab/trainer/checkpoint';
import { describe, expect, it } from 'vitest';
import { threadsForAttempt } from '../src/thread-choice';
import { processTrainJob, type TrainJobContext } from '../src/train.processor';
import { startTrainer } from '../src/trainer-process';

/**
 * A CPU slot's thread choice through a real attempt: the native engine in a real trainer child
 * runs with the count chosen from the idle cores, the experiment says how it was chosen, the
 * checkpoint records it, and an attempt resuming from that checkpoint takes the same count.
 */
const fixture = useTestRepositories();
const unavailable = onednnUnavailableReason();
const SKIP_NOTE = unavailable ? ` [skipped: the native engine is unavailable: ${unavailable}]` : '';

const context = (): TrainJobContext => ({
  logger: createLogger({ name: 'threads', level: 'silent' }),
  signal: new AbortController().signal,
  repos: fixture.repos,
  workerName: 'threads',
  isLastAttempt: true,
  cancelPollMs: 200,
  slotEnv: { OMP_NUM_THREADS: '2', OMP_WAIT_POLICY: 'PASSIVE' },
  threadPlan: { max: 2, auto: true },
  backend: 'onednn',
  startTrainer,
});

describe(`thread count of a CPU slot${SKIP_NOTE}`, () => {
  it.skipIf(unavailable !== null)(
    'is chosen from the idle cores, recorded on the experiment and the checkpoint, and kept on resume',
    async () => {
      const spec = ExperimentSpec.parse(TINY_SPEC);
      const { id } = await fixture.repos.experiments.createWithOutbox(spec, resolveExperiment(spec).hash);
      expect(await processTrainJob({ experimentId: id }, context())).toBe('succeeded');

      const stored = await fixture.repos.experiments.get(id);
      expect(stored?.backend).toBe('onednn');
      const reason = stored?.backendReason ?? '';
      const chosen = reason.match(/; (\d) threads? of the slot's 2: \d+\.\d cores idle at start$/);
      expect(chosen, reason).not.toBeNull();
      const count = Number(chosen![1]);
      // The engine ran with what was chosen: its own report in the same reason says so.
      expect(reason).toContain(`, ${count} threads);`);

      const checkpoint = await fixture.repos.checkpoints.newestValid(id, () => {});
      expect(readCheckpointHeader(checkpoint!.bytes).header.threads).toBe(count);
      expect(await threadsForAttempt({ max: 2, auto: true }, checkpoint!.bytes)).toEqual({
        count,
        reason: `${count} thread${count === 1 ? '' : 's'}, as the checkpoint it resumes from (bit-exact continuation)`,
      });
    },
  );
});
