import { z } from 'zod';
import { InitReport } from './init';
import { ResolvedExperiment } from './resolved-experiment';

/** One value of one metric at the end of an epoch. */
export const MetricValue = z.object({
  split: z.enum(['train', 'validation', 'test']),
  name: z.string().min(1),
  value: z.number(),
});
export type MetricValue = z.infer<typeof MetricValue>;

/**
 * Messages a trainer child process sends its parent over IPC (advanced serialisation, so
 * checkpoint bytes travel as a Uint8Array). Validated on receipt: a child is a separate program.
 */
export const TrainerEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('started'), backend: z.string(), backendReason: z.string().optional() }),
  z.object({
    type: z.literal('progress'),
    epoch: z.number().int(),
    step: z.number().int(),
    stepsPerEpoch: z.number().int(),
    loss: z.number(),
  }),
  z.object({
    type: z.literal('epoch'),
    epoch: z.number().int(),
    metrics: z.array(MetricValue),
    checkpoint: z
      .object({ bytes: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes'), sha256: z.string() })
      .optional(),
    /**
     * The last epoch's per-image test scores (centre protocol): labels as int32 and softmax
     * probabilities as float32, little-endian bytes, for ensembles.
     */
    testScores: z
      .object({
        classes: z.number().int().positive(),
        labels: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes'),
        probabilities: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes'),
      })
      .optional(),
  }),
  /** A warm start's outcome, sent once before the first epoch (not on resume). */
  z.object({ type: z.literal('initialized'), report: InitReport }),
  z.object({ type: z.literal('completed') }),
  /** Stopped on request (cancel or worker shutdown) at a batch boundary. */
  z.object({ type: z.literal('aborted') }),
  z.object({
    type: z.literal('failed'),
    message: z.string(),
    /** false for a bad spec or a diverged loss: retrying cannot help. */
    retryable: z.boolean(),
  }),
]);
export type TrainerEvent = z.infer<typeof TrainerEvent>;

/** What the parent sends the child: the job to run, or a request to stop. */
export const TrainerCommand = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('run'),
    experimentId: z.string(),
    /** Resolved by the worker: the child trains exactly the network the API costed. */
    experiment: ResolvedExperiment,
    resume: z
      .object({
        epoch: z.number().int(),
        bytes: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes'),
      })
      .optional(),
    /** The checkpoint a warm start (spec.init) loads from, fetched by the worker; not on resume. */
    init: z
      .object({
        experiment: z.string(),
        epoch: z.number().int(),
        bytes: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes'),
      })
      .optional(),
    /** Compute backend preference; absent: the fastest that loads. */
    backend: z.string().optional(),
    /** The worker's DATASET_ROOTS and size limit; absent: the defaults. */
    datasetAccess: z.object({ roots: z.array(z.string()), maxFileBytes: z.number().int().positive() }).optional(),
  }),
  z.object({ type: z.literal('abort') }),
]);
export type TrainerCommand = z.infer<typeof TrainerCommand>;
