import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CheckpointParams,
  CheckpointView,
  ExperimentSpec,
  IdParams,
  ProblemDetails,
  urlInteger,
} from '@resnet-lab/spec';
import type { AppDeps } from '../deps';
import { AppError, notFound } from '../errors';
import { exportLayersModel } from '../model-export';

const problems = { 400: ProblemDetails, 404: ProblemDetails };
const ModelQuery = z.object({ epoch: urlInteger(0).optional() }).strict();

export const checkpointsRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, { repos }) => {
  app.get(
    '/v1/experiments/:id/checkpoints',
    {
      schema: {
        summary: 'Stored checkpoints of an experiment (the last K and the best)',
        tags: ['checkpoints'],
        params: IdParams,
        response: { 200: z.object({ checkpoints: z.array(CheckpointView) }), ...problems },
      },
    },
    async (request) => {
      const experiment = await repos.experiments.get(request.params.id);
      if (!experiment) throw notFound('experiment', request.params.id);
      const checkpoints = await repos.checkpoints.list(experiment.id);
      return { checkpoints: checkpoints.map((c) => ({ ...c, createdAt: c.createdAt.toISOString() })) };
    },
  );

  app.get(
    '/v1/experiments/:id/checkpoints/:epoch',
    {
      schema: {
        summary: "Download one checkpoint's bytes (the trainer's format: weights, optimizer state, RNG, data order)",
        tags: ['checkpoints'],
        params: CheckpointParams,
        response: { 200: z.any(), ...problems },
      },
    },
    async (request, reply) => {
      const checkpoint = await repos.checkpoints.read(request.params.id, request.params.epoch);
      if (!checkpoint) throw notFound('checkpoint', `${request.params.id} epoch ${request.params.epoch}`);
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', `attachment; filename="checkpoint-epoch-${checkpoint.info.epoch}.bin"`)
        .header('etag', `"${checkpoint.info.sha256}"`)
        .header('x-checkpoint-sha256', checkpoint.info.sha256)
        .send(checkpoint.bytes);
    },
  );

  // The model as a stock tfjs LayersModel: tf.loadLayersModel('<api>/v1/experiments/<id>/model/model.json')
  // fetches model.json, then weights.bin beside it.
  for (const file of ['model.json', 'weights.bin'] as const) {
    app.get(
      `/v1/experiments/:id/model/${file}`,
      {
        schema: {
          summary:
            file === 'model.json'
              ? 'The trained model as a tfjs LayersModel (newest checkpoint, or ?epoch=)'
              : 'The weights file that model.json points at',
          tags: ['checkpoints'],
          params: IdParams,
          querystring: ModelQuery,
          response: { 200: z.any(), ...problems },
        },
      },
      async (request, reply) => {
        const experiment = await repos.experiments.get(request.params.id);
        if (!experiment) throw notFound('experiment', request.params.id);
        const epoch = request.query.epoch ?? (await repos.checkpoints.latest(experiment.id))?.epoch;
        if (epoch === undefined) throw new AppError('NOT_FOUND', `experiment ${experiment.id} has no checkpoint yet`);
        const checkpoint = await repos.checkpoints.read(experiment.id, epoch);
        if (!checkpoint) throw notFound('checkpoint', `${experiment.id} epoch ${epoch}`);
        const artifacts = await exportLayersModel(
          ExperimentSpec.parse(experiment.spec),
          checkpoint.info.sha256,
          checkpoint.bytes,
        );
        if (file === 'model.json') {
          // weights.bin must come from the same epoch when ?epoch= was given.
          const json =
            request.query.epoch === undefined ? artifacts.modelJson : withWeightsQuery(artifacts.modelJson, epoch);
          return reply.header('content-type', 'application/json').send(json);
        }
        return reply.header('content-type', 'application/octet-stream').send(Buffer.from(artifacts.weights));
      },
    );
  }
};

function withWeightsQuery(modelJson: object, epoch: number): object {
  const json = modelJson as { weightsManifest: { paths: string[] }[] };
  return {
    ...json,
    weightsManifest: json.weightsManifest.map((g) => ({ ...g, paths: g.paths.map((p) => `${p}?epoch=${epoch}`) })),
  };
}
