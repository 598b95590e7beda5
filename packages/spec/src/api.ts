import { z } from 'zod';
import { StoppingDecision } from './early-stopping';
import { ExperimentSpec } from './experiment';
import { InitReport } from './init';
import { ExperimentStatusSchema } from './lifecycle';
import { ProjectName } from './tokens';
import { urlInteger } from './url-integers';

/** HTTP bodies of the public API, shared by the API, the CLI and the dashboard. */

export const ExperimentProgress = z
  .object({
    epoch: z.number().int(),
    epochs: z.number().int(),
    step: z.number().int().optional(),
    stepsPerEpoch: z.number().int().optional(),
    loss: z.number().optional(),
  })
  .partial();

export const ExperimentView = z.object({
  id: z.uuid(),
  status: ExperimentStatusSchema,
  spec: ExperimentSpec,
  specHash: z.string(),
  attempts: z.number().int(),
  backend: z.string().nullable(),
  /** Why the trainer chose `backend`: "first choice", or the backends it fell back from and why. */
  backendReason: z.string().nullable(),
  worker: z.string().nullable(),
  error: z.string().nullable(),
  progress: ExperimentProgress.nullable(),
  cancelRequested: z.boolean(),
  /** The project it belongs to: only that project's tokens see it. */
  project: ProjectName,
  /** Wall seconds the cost estimator predicted when its grid was submitted; null where it could not. */
  predictedSeconds: z.number().nullable(),
  /** Every decision its grid's early-stopping rule made about it (null: its grid has no rule). */
  stoppingDecisions: z.array(StoppingDecision).nullable(),
  /** What a warm start (spec.init) loaded, skipped with why, and froze; null without one. */
  initReport: InitReport.nullable(),
  /**
   * The experiment of its grid whose checkpoint its warm start loads: it stays queued, without a
   * job, until that one succeeded or stopped, and fails if that one fails. Null without one.
   */
  waitsFor: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type ExperimentView = z.infer<typeof ExperimentView>;

export const ListExperimentsQuery = z
  .object({
    status: ExperimentStatusSchema.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.uuid().optional(),
  })
  .strict();

export const ExperimentPage = z.object({
  items: z.array(ExperimentView),
  nextCursor: z.uuid().nullable(),
});

export const IdParams = z.object({ id: z.uuid() });

export const MetricsQuery = z.object({ split: z.string().optional(), name: z.string().optional() }).strict();

export const MetricsResponse = z.object({
  experimentId: z.uuid(),
  backend: z.string().nullable(),
  metrics: z.array(z.object({ epoch: z.number().int(), split: z.string(), name: z.string(), value: z.number() })),
});

/** RFC 9457 problem details, with the fields at fault for validation errors. */
export const ProblemDetails = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  errors: z
    .array(
      z.object({
        field: z.string(),
        message: z.string(),
        /** Grid submissions: the bad point's index in the expansion and its axis values. */
        index: z.number().int().optional(),
        values: z.record(z.string(), z.unknown()).optional(),
      }),
    )
    .optional(),
});
export type ProblemDetails = z.infer<typeof ProblemDetails>;

export const HealthResponse = z.object({
  status: z.enum(['ok', 'unavailable']),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), error: z.string().optional() })).optional(),
});

/** `describeModel`'s result: analytic counts of a network, no tensors involved. */
export const ModelDescriptionView = z.object({
  params: z.number().int(),
  trainableParams: z.number().int(),
  flops: z.number(),
  layers: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      outputShape: z.array(z.number().int()),
      params: z.number().int(),
      trainableParams: z.number().int(),
      flops: z.number(),
    }),
  ),
});

export const ArchitectureCatalogView = z.object({
  families: z.array(z.looseObject({ family: z.string(), description: z.string() })),
});

export const CheckpointView = z.object({
  epoch: z.number().int(),
  sha256: z.string(),
  size: z.number().int(),
  validationError: z.number().nullable(),
  createdAt: z.string(),
});

export const CheckpointParams = z.object({ id: z.uuid(), epoch: urlInteger(0) });
