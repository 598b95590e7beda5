/**
 * The compute thread of grid expansion (a `node:worker_threads` worker started by ThreadPool):
 * expanding and validating a large grid costs about 0.1 ms per point, which would stop the API's
 * event loop for seconds at 20,000 points. A grid error goes back as data, so the API can answer
 * the same 400 it would have answered inline.
 */
import { parentPort } from 'node:worker_threads';
import { expandGrid, GridError, type GridDefinition } from '@resnet-lab/spec';

export interface ExpansionJob {
  definition: GridDefinition;
  maxExperiments: number;
}

parentPort!.on('message', (message: ExpansionJob & { id: number }) => {
  try {
    const result = expandGrid(message.definition, { maxExperiments: message.maxExperiments });
    parentPort!.postMessage({ id: message.id, ok: true, result });
  } catch (error) {
    const reply =
      error instanceof GridError
        ? { kind: 'grid-error', message: error.message, errors: error.errors }
        : { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
    parentPort!.postMessage({ id: message.id, ok: false, error: reply });
  }
});
