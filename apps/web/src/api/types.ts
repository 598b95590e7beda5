/**
 * The public /v1 API's shapes, taken from the zod schemas the API itself validates with
 * (@resnet-lab/spec). Type-only imports: none of the schema code reaches the bundle.
 */
import type { z } from 'zod';
import type {
  CheckpointView,
  CompareResponse,
  CurvesResponse,
  DryRunResponse,
  ExperimentView,
  GridExperimentsPage,
  GridPage,
  GridSubmitResponse,
  GridSummary,
  GridView,
  MetricsResponse,
  ModelDescriptionView,
  ProblemDetails,
} from '@resnet-lab/spec';

export type Grid = GridView;
export type Experiment = ExperimentView;
export type Summary = GridSummary;
export type Problem = ProblemDetails;
export type FieldError = NonNullable<ProblemDetails['errors']>[number];
export type GridList = z.infer<typeof GridPage>;
export type GridMembers = z.infer<typeof GridExperimentsPage>;
export type GridMember = GridMembers['items'][number];
export type Curves = z.infer<typeof CurvesResponse>;
export type DryRun = z.infer<typeof DryRunResponse>;
export type Submitted = z.infer<typeof GridSubmitResponse>;
export type Metrics = z.infer<typeof MetricsResponse>;
export type Checkpoint = z.infer<typeof CheckpointView>;
export type ModelDescription = z.infer<typeof ModelDescriptionView>;
export type Comparison = z.infer<typeof CompareResponse>;
export type Preset = { name: string; description: string; source: string };
export type ExperimentStatus = Experiment['status'];
export type { ActivationLayersView as ActivationLayers, ActivationMapsView as ActivationMaps } from '@resnet-lab/spec';
