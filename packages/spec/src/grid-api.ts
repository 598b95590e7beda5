import { z } from 'zod';
import { ExperimentView } from './api';
import { ExperimentStatusSchema, GridStatusSchema } from './lifecycle';
import { BACKEND_NAMES } from './backends';
import { EarlyStoppingSpec } from './early-stopping';
import { GridDefinition } from './grid';
import { urlInteger } from './url-integers';
import { PresetName, PresetScale } from './presets';
import { ProjectName } from './tokens';

/** HTTP bodies of the grid and comparison endpoints, shared by the API, the CLI and the dashboard. */

/** Higher runs sooner; single experiments (no priority) go before every grid's jobs. */
export const GridPriority = z.number().int().min(0).max(1000);

export const GridSubmission = GridDefinition.extend({
  name: z.string().min(1).max(200).optional(),
  /** A preset supplies base and axes; `base`/`axes`/... given as well are merged over it. */
  preset: PresetName.optional(),
  /** Preset size: 1 is the paper's, 0.01 runs in minutes on a CPU. */
  scale: PresetScale.optional(),
  /**
   * Instead of `scale`: the wall seconds the preset may take on the workers active now; the
   * largest scale whose estimate fits is picked (and reported as `budget`).
   */
  budget: z
    .number()
    .positive()
    .max(365 * 86_400)
    .optional(),
  priority: GridPriority.default(500),
  /** Train again even where an experiment with the same canonical spec already succeeded. */
  force: z.boolean().default(false),
  /** End members that fall behind their peers (ASHA or the median rule); absent: all train to the end. */
  earlyStopping: EarlyStoppingSpec.optional(),
}).strict();
export type GridSubmission = z.infer<typeof GridSubmission>;

/**
 * A dry run answers a summary and one page of points: listing all 20,000 points of a large grid
 * made answers of 15 MB, and a few at once took a gigabyte of the API's memory.
 */
export const DEFAULT_DRY_RUN_POINTS = 50;
export const MAX_DRY_RUN_POINTS = 1_000;

const BooleanString = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const GridSubmitQuery = z
  .object({
    /** Expand, validate and cost the grid without storing anything. */
    dryRun: BooleanString.optional(),
    /** Backend whose throughput the estimate uses; default: that of the newest finished experiment. */
    backend: z.enum(BACKEND_NAMES).optional(),
    /** Dry run: how many points to list (the totals always cover all of them). */
    points: z.coerce.number().int().min(0).max(MAX_DRY_RUN_POINTS).default(DEFAULT_DRY_RUN_POINTS),
    /** Dry run: the first point to list, counted from 0. */
    offset: urlInteger(0).default(0),
  })
  .strict();

export const GridCounts = z.object({
  total: z.number().int(),
  queued: z.number().int(),
  running: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
  /** Ended by the grid's early-stopping rule. */
  stopped: z.number().int(),
  /** Members that link to an earlier experiment instead of training again. */
  reused: z.number().int(),
});

export const GridView = z.object({
  id: z.uuid(),
  name: z.string().nullable(),
  preset: z.string().nullable(),
  status: GridStatusSchema,
  /** True when no member is queued or running. */
  done: z.boolean(),
  priority: z.number().int(),
  axes: z.array(z.string()),
  counts: GridCounts,
  /** The early-stopping rule its members run under; null: none. */
  earlyStopping: EarlyStoppingSpec.nullable(),
  /** Finished epochs over all epochs of all members, 0..1. */
  progress: z.number(),
  /**
   * Estimated seconds until every member has finished: the predicted seconds of what is queued
   * and of what running members have left, spread over the active workers' slots (never less than
   * the longest single member's). Null when done, paused or cancelled, or when a member still to
   * run has no prediction.
   */
  etaSeconds: z.number().nullable(),
  /** The project it belongs to: only that project's tokens see it. */
  project: ProjectName,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type GridView = z.infer<typeof GridView>;

/** What a `budget` picked. */
export const BudgetChoice = z.object({
  budgetSeconds: z.number(),
  /** The largest preset scale (to 3 significant digits) whose estimate fits the budget. */
  scale: z.number(),
  /**
   * Estimated compute of the grid at that scale, and its wall time spread over `slots` (never less
   * than its longest experiment's).
   */
  computeSeconds: z.number(),
  wallSeconds: z.number(),
  /** Slots of the workers active now (1 where none is: the grid waits for one). */
  slots: z.number().int(),
  backend: z.string(),
});

export const GridSubmitResponse = z.object({
  grid: GridView,
  created: z.number().int(),
  reused: z.number().int(),
  /** Points that collapsed onto an earlier point of the same grid. */
  duplicates: z.number().int(),
  excluded: z.number().int(),
  budget: BudgetChoice.optional(),
});

/** What one kind of pass costs per image: overhead + layers x layer cost / batch + passes x MACs / rate. */
export const PassCostEstimate = z.object({
  /** Multiply-adds per second this backend sustains (training counts three passes: forward and backward). */
  macsPerSecond: z.number(),
  /** Seconds each image costs whatever the network (batch building, copying, metrics). */
  overheadSecondsPerImage: z.number(),
  /** Seconds each layer costs once per step whatever its size (dispatch): layers x this / batch per image. */
  layerSecondsPerStep: z.number(),
});

export const ThroughputEstimate = PassCostEstimate.extend({
  backend: z.string(),
  /** Evaluation's own cost (forward only, batch at least 256); null: a third of a training image. */
  evaluation: PassCostEstimate.nullable(),
  /** Seconds each run costs besides its epochs (trainer start, data loading, model build). */
  startupSeconds: z.number(),
  /** Seconds each checkpoint costs per parameter of the network (the writes an epoch does not hide). */
  checkpointSecondsPerParam: z.number(),
  /** Where the figure comes from: measured experiments, or a documented constant. */
  source: z.string(),
});

export const DryRunPoint = z.object({
  index: z.number().int(),
  values: z.record(z.string(), z.unknown()),
  collapsed: z.array(z.string()),
  specHash: z.string(),
  spec: z.record(z.string(), z.unknown()),
  /** Null when the model zoo cannot describe this network. */
  params: z.number().int().nullable(),
  /** Multiply-adds of one forward pass of one image. */
  flops: z.number().nullable(),
  /** Training and evaluation compute on the estimate's backend; 0 for a reused result. */
  estimatedSeconds: z.number().nullable(),
  /** The succeeded experiment this point would reuse (null: it trains). */
  reuses: z.uuid().nullable(),
});

export const DryRunResponse = z.object({
  dryRun: z.literal(true),
  total: z.number().int(),
  excluded: z.number().int(),
  unsampled: z.number().int(),
  duplicates: z.number().int(),
  experiments: z.number().int(),
  reusable: z.number().int(),
  axes: z.array(z.string()),
  estimate: ThroughputEstimate.extend({
    /** Seconds of compute for the experiments that would train (reused ones cost nothing). */
    totalSeconds: z.number(),
  }),
  /** Points `pointsOffset`.. of the `experiments` (see the `points` and `offset` query parameters). */
  pointsOffset: z.number().int(),
  points: z.array(DryRunPoint),
  budget: BudgetChoice.optional(),
});

export const ListGridsQuery = z
  .object({
    status: GridStatusSchema.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.uuid().optional(),
  })
  .strict();

export const GridPage = z.object({ items: z.array(GridView), nextCursor: z.uuid().nullable() });

export const GridPatch = z.object({ priority: GridPriority }).strict();

export const GridExperimentsQuery = z
  .object({
    status: ExperimentStatusSchema.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    /** Member index to start after. */
    after: urlInteger(-1).default(-1),
  })
  .strict();

export const GridMemberView = z.object({
  index: z.number().int(),
  values: z.record(z.string(), z.unknown()),
  reused: z.boolean(),
  experiment: ExperimentView,
});

export const GridExperimentsPage = z.object({
  items: z.array(GridMemberView),
  /** Pass as `after` for the next page; null at the end. */
  nextAfter: z.number().int().nullable(),
});

/** `split.name` -> value. */
const MetricMap = z.record(z.string(), z.number());

export const SummaryExperiment = z.object({
  experimentId: z.uuid(),
  index: z.number().int(),
  values: z.record(z.string(), z.unknown()),
  group: z.string(),
  status: ExperimentStatusSchema,
  backend: z.string().nullable(),
  epochs: z.number().int(),
  final: MetricMap,
  /** Minimum over epochs of losses and errors, maximum of accuracies. */
  best: MetricMap,
  /** The cost estimator's wall seconds, predicted at submit; null where it could not. */
  predictedSeconds: z.number().nullable(),
  /** Wall seconds of its last attempt, from its start to the finish; null until it finished. */
  actualSeconds: z.number().nullable(),
});

export const Stat = z.object({ mean: z.number(), std: z.number(), n: z.number().int() });

export const SummaryGroup = z.object({
  group: z.string(),
  values: z.record(z.string(), z.unknown()),
  n: z.number().int(),
  succeeded: z.number().int(),
  /** Members the grid's early-stopping rule ended: in the statistics only when asked (`includeStopped`). */
  stopped: z.number().int(),
  final: z.record(z.string(), Stat),
  best: z.record(z.string(), Stat),
});

export const DegradationStep = z.object({
  fromDepth: z.number().int(),
  toDepth: z.number().int(),
  /** The metric compared (final train error when recorded, else validation/test error). */
  metric: z.string(),
  from: z.number(),
  to: z.number(),
  verdict: z.enum(['better', 'worse', 'same']),
});

export const DegradationSeries = z.object({
  family: z.string(),
  residual: z.boolean(),
  values: z.record(z.string(), z.unknown()),
  steps: z.array(DegradationStep),
});

export const DegradationCheck = z.object({
  series: z.array(DegradationSeries),
  /** Deeper plain nets trained worse (null: no plain series with two depths and results). */
  plainDegrades: z.boolean().nullable(),
  /** Deeper residual nets trained better (null: no such residual series). */
  residualImproves: z.boolean().nullable(),
  /** Both of the above: the paper's finding. */
  reproduced: z.boolean().nullable(),
});

export const GridSummary = z.object({
  gridId: z.uuid(),
  axes: z.array(z.string()),
  experiments: z.array(SummaryExperiment),
  groups: z.array(SummaryGroup),
  degradation: DegradationCheck,
});
export type GridSummary = z.infer<typeof GridSummary>;

export const SummaryQuery = z
  .object({
    /**
     * Count members stopped early in the group statistics too (their values where they stopped);
     * by default only succeeded members are, as a stopped run's error is not a finished result.
     */
    includeStopped: BooleanString.default(false),
  })
  .strict();

export const CurvesQuery = z
  .object({
    /** `split.name`, e.g. `validation.error` or `train.loss`. */
    metric: z
      .string()
      .regex(/^[a-z]+\.[A-Za-z0-9_]+$/, 'metric is split.name, e.g. validation.error')
      .default('validation.error'),
    by: z.enum(['experiment', 'group']).default('experiment'),
    /** Series longer than this are averaged into this many buckets of consecutive epochs. */
    maxPoints: z.coerce.number().int().min(2).max(10_000).default(200),
  })
  .strict();

export const CurvePoint = z.object({
  epoch: z.number(),
  value: z.number(),
  std: z.number().optional(),
  n: z.number().int().optional(),
});

export const CurvesResponse = z.object({
  gridId: z.uuid(),
  metric: z.string(),
  by: z.enum(['experiment', 'group']),
  series: z.array(
    z.object({
      key: z.string(),
      experimentId: z.uuid().optional(),
      values: z.record(z.string(), z.unknown()),
      points: z.array(CurvePoint),
    }),
  ),
});

export const ExportQuery = z.object({ format: z.enum(['csv', 'json']).default('json') }).strict();

export const CompareQuery = z
  .object({
    /** Comma-separated experiment ids, 2 to 50. */
    ids: z
      .string()
      .transform((s) =>
        s
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.uuid()).min(2, 'give at least two ids').max(50, 'at most 50 ids')),
  })
  .strict();

export const CompareResponse = z.object({
  experiments: z.array(
    z.object({ experiment: ExperimentView, final: MetricMap, best: MetricMap, epochs: z.number().int() }),
  ),
  /** Spec fields (dotted) whose values differ, with the value per experiment in `experiments` order. */
  differences: z.array(z.object({ field: z.string(), values: z.array(z.unknown()) })),
});

/** Test-set metrics of one set of scores: an experiment's own, or an ensemble's averaged ones. */
export const ScoreMetrics = z.object({
  loss: z.number(),
  error: z.number(),
  /** Only with more than 5 classes. */
  top5Error: z.number().optional(),
});

export const EnsembleResponse = z.object({
  /** Each member's own scores, in `ids` order, with the epoch they were taken after. */
  members: z.array(z.object({ experimentId: z.uuid(), epoch: z.number().int() }).extend(ScoreMetrics.shape)),
  /** The members' softmax scores averaged per test image, scored like one network's. */
  ensemble: ScoreMetrics.extend({ images: z.number().int(), classes: z.number().int() }),
});

/** Server-Sent Events payload for a grid (`event: grid`) or an experiment (`event: experiment`). */
export const GridEventData = GridView;
