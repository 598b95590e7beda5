import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TrainerEvent, type DatasetAccess, type ResolvedExperiment, type TrainerCommand } from '@resnet-lab/spec';

const CHILD_ENTRY = fileURLToPath(new URL('./trainer-child.ts', import.meta.url));

export interface TrainerRun {
  experimentId: string;
  experiment: ResolvedExperiment;
  resume?: { epoch: number; bytes: Uint8Array };
  /** A warm start's source checkpoint (spec.init), on a fresh start. */
  init?: { experiment: string; epoch: number; bytes: Uint8Array };
  backend?: string;
  /** Where the child may read dataset files (DATASET_ROOTS) and how large they may be. */
  datasetAccess?: DatasetAccess;
  env: Record<string, string>;
  onEvent: (event: TrainerEvent) => Promise<void>;
}

export type TrainerExit =
  | { kind: 'completed' }
  | { kind: 'aborted' }
  | { kind: 'failed'; message: string; retryable: boolean }
  /** cause: the error of the event handler that stopped the child, if that is what happened. */
  | {
      kind: 'crashed';
      message: string;
      cause?: Error;
      /** Set when the child was killed by a signal (SIGKILL: the OOM killer, an operator). */
      signal?: NodeJS.Signals;
    };

export interface TrainerHandle {
  /** Asks the child to stop at its next batch; kills it if it has not exited after `graceMs`. */
  abort(graceMs?: number): void;
  exited: Promise<TrainerExit>;
}

/**
 * Runs one training job in a child process: TensorFlow.js blocks its event loop for seconds at a
 * time, and this process must keep renewing the job's lock and watching for cancellation. Events
 * are handled strictly in order (metrics of epoch 2 never land before those of epoch 1), and the
 * exit is reported only after every event has been handled.
 */
export function startTrainer(run: TrainerRun): TrainerHandle {
  const child: ChildProcess = fork(CHILD_ENTRY, [], {
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    env: { ...process.env, ...run.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });

  let chain: Promise<void> = Promise.resolve();
  let outcome: TrainerExit | null = null;
  let handlerError: Error | null = null;

  child.on('message', (raw) => {
    const parsed = TrainerEvent.safeParse(raw);
    if (!parsed.success) {
      handlerError ??= new Error(`trainer sent a malformed message: ${parsed.error.message}`);
      return;
    }
    const event = parsed.data;
    if (event.type === 'completed') outcome = { kind: 'completed' };
    else if (event.type === 'aborted') outcome = { kind: 'aborted' };
    else if (event.type === 'failed') outcome = { kind: 'failed', message: event.message, retryable: event.retryable };
    chain = chain
      .then(() => run.onEvent(event))
      .catch((error: Error) => {
        handlerError ??= error;
        // Storing results failed (database down?): stop training rather than compute unrecorded epochs.
        child.kill('SIGKILL');
      });
  });

  const exited = new Promise<TrainerExit>((resolve) => {
    let spawnError: Error | null = null;
    child.on('error', (error) => {
      spawnError = error;
      // A child that never started may emit no 'exit' at all: end the job here instead of waiting.
      if (child.pid === undefined) resolve({ kind: 'crashed', message: `trainer could not start: ${error.message}` });
    });
    child.on('exit', (code, signal) => {
      void chain.then(() => {
        if (handlerError) {
          resolve({
            kind: 'crashed',
            message: `recording progress failed: ${handlerError.message}`,
            cause: handlerError,
          });
        } else if (outcome) resolve(outcome);
        else
          resolve({
            kind: 'crashed',
            message: spawnError
              ? `trainer could not start: ${spawnError.message}`
              : `trainer exited unexpectedly (${signal ? `signal ${signal}` : `code ${code}`})`,
            ...(signal ? { signal } : {}),
          });
      });
    });
  });

  const command: TrainerCommand = {
    type: 'run',
    experimentId: run.experimentId,
    experiment: run.experiment,
    ...(run.resume ? { resume: run.resume } : {}),
    ...(run.init ? { init: run.init } : {}),
    ...(run.backend ? { backend: run.backend } : {}),
    ...(run.datasetAccess ? { datasetAccess: { ...run.datasetAccess, roots: [...run.datasetAccess.roots] } } : {}),
  };
  child.send(command);

  let killTimer: NodeJS.Timeout | undefined;
  void exited.then(() => clearTimeout(killTimer));
  return {
    exited,
    abort(graceMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.send({ type: 'abort' } satisfies TrainerCommand);
      killTimer ??= setTimeout(() => child.kill('SIGKILL'), graceMs);
      killTimer.unref();
    },
  };
}
