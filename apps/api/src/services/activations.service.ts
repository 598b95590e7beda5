import type { Repositories } from '@resnet-lab/db';
import {
  ACTIVATION_LIMITS,
  datasetShape,
  DEFAULT_DATASET_ACCESS,
  ExperimentSpec,
  type DatasetAccess,
  resolveExperiment,
  type ActivationLayersView,
  type ActivationMapsView,
} from '@resnet-lab/spec';
import { activationLayers } from '@resnet-lab/trainer';
import { AppError, notFound } from '../errors';
import type { ActivationJob, ActivationJobError, ActivationJobResult } from './activation-job';
import { PoolBusyError, PoolFailedError, PoolTimeoutError, type ThreadPool } from './thread-pool';

/**
 * "Inside a network": which layers of an experiment can be looked at, and one layer's activation
 * maps for one test image at one checkpoint. The layer list is read off the network's record
 * (cheap, on the event loop); everything with tensors runs on the pool's threads.
 */
export function activationsService(deps: { repos: Repositories; pool: ThreadPool; datasetAccess?: DatasetAccess }) {
  const { repos, pool } = deps;
  const datasetAccess = deps.datasetAccess ?? DEFAULT_DATASET_ACCESS;

  /** The experiment, its stored checkpoint epochs, and the one asked for (default: the newest). */
  async function checkpointOf(id: string, epoch: number | undefined) {
    const experiment = await repos.experiments.get(id);
    if (!experiment) throw notFound('experiment', id);
    const checkpoints = await repos.checkpoints.list(experiment.id);
    if (checkpoints.length === 0) throw new AppError('NOT_FOUND', `experiment ${id} has no checkpoint yet`);
    const chosen = epoch === undefined ? checkpoints.at(-1)! : checkpoints.find((c) => c.epoch === epoch);
    if (!chosen) {
      const stored = checkpoints.map((c) => c.epoch).join(', ');
      throw new AppError('NOT_FOUND', `experiment ${id} has no checkpoint of epoch ${epoch}`, [
        { field: 'querystring.epoch', message: `no checkpoint of epoch ${epoch}; stored: ${stored}` },
      ]);
    }
    const spec = ExperimentSpec.parse(experiment.spec);
    return { experiment, spec, checkpoints, chosen };
  }

  return {
    async layers(id: string, epoch: number | undefined): Promise<ActivationLayersView> {
      const { experiment, spec, checkpoints, chosen } = await checkpointOf(id, epoch);
      const resolved = resolveExperiment(spec);
      return {
        experimentId: experiment.id,
        checkpoints: checkpoints.map((c) => c.epoch),
        epoch: chosen.epoch,
        layers: activationLayers(resolved.architecture),
        testImages: resolved.images.test,
        classes: datasetShape(spec.dataset).classes,
        limits: { ...ACTIVATION_LIMITS },
      };
    },

    async maps(
      id: string,
      q: {
        layer: string;
        image: number;
        epoch?: number | undefined;
        firstChannel: number;
        channels?: number | undefined;
      },
    ): Promise<ActivationMapsView> {
      const { experiment, spec, chosen } = await checkpointOf(id, q.epoch);
      const layer = activationLayers(resolveExperiment(spec).architecture).find((l) => l.name === q.layer);
      if (!layer) {
        throw new AppError('VALIDATION', `the network has no layer ${q.layer}`, [
          { field: 'querystring.layer', message: `unknown layer ${q.layer}; GET .../activations/layers lists them` },
        ]);
      }
      if (!layer.spatial) {
        throw new AppError('VALIDATION', `layer ${q.layer} has a flat output ([${layer.outputShape.join(', ')}])`, [
          {
            field: 'querystring.layer',
            message: 'activation maps need a layer with a [height, width, channels] output',
          },
        ]);
      }
      const channels = layer.outputShape[2]!;
      if (q.firstChannel >= channels) {
        throw new AppError('VALIDATION', `layer ${q.layer} has ${channels} channels`, [
          { field: 'querystring.firstChannel', message: `must be below ${channels}` },
        ]);
      }
      const job: ActivationJob = {
        spec,
        datasetAccess,
        checkpoint: { sha256: chosen.sha256 },
        layer: layer.name,
        image: q.image,
        selection: {
          first: q.firstChannel,
          count: Math.min(q.channels ?? ACTIVATION_LIMITS.maxChannels, ACTIVATION_LIMITS.maxChannels),
          maxSide: ACTIVATION_LIMITS.maxSide,
        },
      };
      const result = await runJob(job, async () => {
        const stored = await repos.checkpoints.read(experiment.id, chosen.epoch);
        if (!stored) throw notFound('checkpoint', `${experiment.id} epoch ${chosen.epoch}`);
        return stored.bytes;
      });
      return {
        experimentId: experiment.id,
        epoch: chosen.epoch,
        layer,
        image: {
          index: q.image,
          label: result.image.label,
          predicted: result.predicted,
          probabilities: result.probabilities,
          height: result.image.height,
          width: result.image.width,
          channels: result.image.channels,
          pixels: base64(result.image.pixels),
        },
        maps: {
          totalChannels: result.maps.totalChannels,
          first: result.maps.first,
          count: result.maps.count,
          height: result.maps.height,
          width: result.maps.width,
          stride: result.maps.stride,
          normalization: 'per-channel-min-max',
          min: result.maps.min,
          max: result.maps.max,
          layout: 'channel-row-major',
          // Raw bytes in base64 rather than PNGs: a canvas takes them as they are (putImageData),
          // there is no encoder to run on the thread or decoder in the browser, and at 64 maps of
          // at most 64x64 the answer stays under 350 KB. PNG would save little on maps this small.
          data: base64(result.maps.data),
        },
      };
    },
  };

  /** Runs the job; the checkpoint's bytes travel to the thread only when it has not cached them. */
  async function runJob(job: ActivationJob, readBytes: () => Promise<Uint8Array>): Promise<ActivationJobResult> {
    try {
      return await pool.run<ActivationJobResult>(job).catch(async (error: unknown) => {
        if (threadError(error)?.kind !== 'need-checkpoint') throw error;
        const bytes = await readBytes();
        return pool.run<ActivationJobResult>(
          { ...job, checkpoint: { sha256: job.checkpoint.sha256, bytes } },
          { followUp: true },
        );
      });
    } catch (error) {
      throw toAppError(error);
    }
  }
}

function threadError(error: unknown): ActivationJobError | null {
  const cause = (error as { cause?: unknown } | null)?.cause;
  return typeof cause === 'object' && cause !== null && 'kind' in cause ? (cause as ActivationJobError) : null;
}

function toAppError(error: unknown): unknown {
  if (error instanceof PoolBusyError) return new AppError('UNAVAILABLE', `${error.message}; try again shortly`);
  if (error instanceof PoolTimeoutError)
    return new AppError('UNAVAILABLE', `the activations took too long: ${error.message}`);
  if (error instanceof PoolFailedError) return new AppError('UNAVAILABLE', error.message);
  const thread = threadError(error);
  if (thread?.kind === 'bad-input') {
    return new AppError('VALIDATION', thread.message, [
      { field: `querystring.${thread.field}`, message: thread.message },
    ]);
  }
  if (thread?.kind === 'failed') return new Error(`activations failed: ${thread.message}`);
  return error;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
