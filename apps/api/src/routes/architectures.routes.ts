import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { describeModel } from '@resnet-lab/models';
import {
  ARCHITECTURE_CATALOG,
  ArchitectureCatalogView,
  ArchitectureSpec,
  ModelDescriptionView,
  ProblemDetails,
} from '@resnet-lab/spec';

/** The model zoo, browsable and costable without training anything. */
export const architecturesRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/v1/architectures',
    {
      schema: {
        summary: 'The network families with their depths, options and defaults',
        tags: ['architectures'],
        response: { 200: ArchitectureCatalogView },
      },
    },
    async () => ({ families: Object.values(ARCHITECTURE_CATALOG).map((info) => ({ ...info })) }),
  );

  app.post(
    '/v1/architectures/describe',
    {
      schema: {
        summary: 'Parameters, FLOPs (multiply-adds per image) and layer table of a network',
        description: 'Analytic: nothing is built or trained. Input size, channels and classes default per family.',
        tags: ['architectures'],
        body: ArchitectureSpec,
        response: { 200: ModelDescriptionView, 400: ProblemDetails },
      },
    },
    async (request) => describeModel(request.body),
  );
};
