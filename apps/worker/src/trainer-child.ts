// Entry point of the trainer child process (see trainer-process.ts). It runs exactly one job: it
// receives a `run` command over IPC, trains, streams events back and exits.
import { runTraining, TrainingError } from '@resnet-lab/trainer';
import { TrainerCommand, type TrainerEvent } from '@resnet-lab/spec';

const controller = new AbortController();

function send(event: TrainerEvent): Promise<void> {
  return new Promise((resolve, reject) => {
    process.send!(event, undefined, {}, (error) => (error ? reject(error) : resolve()));
  });
}

// The parent going away (killed, crashed) must not leave an orphan training on the machine.
process.on('disconnect', () => process.exit(1));

process.on('message', (raw) => {
  const command = TrainerCommand.parse(raw);
  if (command.type === 'abort') {
    controller.abort();
    return;
  }
  void run(command);
});

async function run(command: Extract<TrainerCommand, { type: 'run' }>): Promise<void> {
  let final: TrainerEvent;
  try {
    const pending: Promise<void>[] = [];
    const result = await runTraining({
      experiment: command.experiment,
      signal: controller.signal,
      backend: command.backend,
      ...(command.datasetAccess ? { datasetAccess: command.datasetAccess } : {}),
      ...(command.resume ? { resume: { bytes: command.resume.bytes } } : {}),
      ...(command.init ? { init: command.init } : {}),
      onEvent: (event) => {
        pending.push(send(event));
      },
    });
    await Promise.all(pending);
    final = result.status === 'completed' ? { type: 'completed' } : { type: 'aborted' };
  } catch (error) {
    const retryable =
      error instanceof TrainingError ? error.retryable : !(error instanceof Error && error.name === 'ZodError');
    final = { type: 'failed', message: (error as Error).message ?? String(error), retryable };
  }
  await send(final);
  process.disconnect();
  process.exit(0);
}
