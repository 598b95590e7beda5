import type { Repositories } from '@resnet-lab/db';
import { describeModel, ModelBuildError } from '@resnet-lab/models';
import { canonicalJson, ExperimentSpec, resolveExperiment, type DatasetAccess } from '@resnet-lab/spec';
import { modelDirProblem } from '@resnet-lab/trainer/model-dir';
import { AppError, type FieldError } from '../errors';

/** Statuses whose checkpoints a warm start may load: the source finished training. */
const FINISHED = new Set(['succeeded', 'stopped']);

/**
 * A warm start's checks at submit (and dry run): the layers `init.load` and `init.freeze` name
 * exist in the network, and the source experiment exists in the submitter's project and has
 * finished. Each failure is a 400 naming the field; a grid's are listed per point.
 */
export async function checkWarmStarts(
  points: readonly { spec: ExperimentSpec; index?: number; values?: Record<string, unknown> }[],
  project: string | undefined,
  repos: Pick<Repositories, 'experiments'>,
  /** Where model directories may be read; one this machine can see is parsed now. */
  datasetAccess?: DatasetAccess,
): Promise<void> {
  const sources = new Map<string, SourceCheck>();
  const modelDirs = new Map<string, string | null>();
  const layerNames = memoisedLayerNames();
  const errors: FieldError[] = [];
  for (const point of points) {
    const init = point.spec.init;
    if (!init) continue;
    const where = point.index === undefined ? {} : { index: point.index, values: point.values ?? {} };
    for (const found of layerProblems(point.spec, layerNames)) errors.push({ ...found, ...where });
    if ('point' in init.from && point.index === undefined) {
      const message = 'names a point of a grid: submit it in a grid, or name the source with init.from.experiment';
      errors.push({ field: 'init.from.point', message });
    }
    // A model directory is checked against DATASET_ROOTS by the dataset guard; its model.json here.
    if ('modelDir' in init.from) {
      const dir = init.from.modelDir;
      if (!modelDirs.has(dir)) modelDirs.set(dir, await modelDirProblem(dir, datasetAccess));
      const problem = modelDirs.get(dir);
      if (problem) errors.push({ field: 'init.from.modelDir', message: problem, ...where });
    }
    if (!('experiment' in init.from)) continue;
    const id = init.from.experiment;
    if (!sources.has(id)) sources.set(id, await checkSource(id, project, repos));
    const checked = sources.get(id)!;
    const problem = checked.problem ?? inputMismatch(id, checked.input, inputOf(point.spec));
    if (problem) errors.push({ field: 'init.from.experiment', message: problem, ...where });
  }
  if (errors.length === 0) return;
  const first = errors[0]!;
  const what = first.index === undefined ? first.message : `point ${first.index}: ${first.message}`;
  throw new AppError('VALIDATION', `${first.field}: ${what}`, errors.slice(0, 20));
}

type LayerNames = (spec: ExperimentSpec) => Set<string> | FieldError;

/**
 * The layer names of each point's network, described once per distinct architecture: a grid of
 * thousands of points usually varies seeds or rates, not the network. A network the zoo cannot
 * build is the architecture's 400.
 */
function memoisedLayerNames(): LayerNames {
  const seen = new Map<string, Set<string> | FieldError>();
  return (spec) => {
    const architecture = resolveExperiment(spec).architecture;
    const key = canonicalJson(architecture);
    let names = seen.get(key);
    if (!names) {
      try {
        names = new Set(describeModel(architecture).layers.map((l) => l.name));
      } catch (error) {
        if (!(error instanceof ModelBuildError)) throw error;
        names = { field: 'architecture', message: error.message };
      }
      seen.set(key, names);
    }
    return names;
  };
}

function layerProblems(spec: ExperimentSpec, layerNames: LayerNames): FieldError[] {
  const init = spec.init!;
  if (init.load === 'matching' && (init.freeze === 'none' || init.freeze === 'all-but-head')) return [];
  const layers = layerNames(spec);
  if (!(layers instanceof Set)) return [layers];
  const out: FieldError[] = [];
  if (init.load !== 'matching') {
    init.load.forEach((name, i) => {
      if (!layers.has(name)) out.push({ field: `init.load.${i}`, message: `the network has no layer "${name}"` });
    });
  }
  if (init.freeze !== 'none' && init.freeze !== 'all-but-head' && !layers.has(init.freeze)) {
    out.push({
      field: 'init.freeze',
      message: `the network has no layer "${init.freeze}"; use none, all-but-head or a layer name`,
    });
  }
  return out;
}

type SourceCheck = { problem: string; input?: undefined } | { problem: null; input: string };

/** A network's input as "32x32x3": a source trained on other inputs has other weights to offer. */
function inputOf(spec: ExperimentSpec): string {
  const a = resolveExperiment(spec).architecture;
  return `${a.inputSize}x${a.inputSize}x${a.inputChannels}`;
}

function inputMismatch(id: string, source: string, here: string): string | null {
  return source === here ? null : `experiment ${id} was trained on ${source} inputs; this network takes ${here}`;
}

async function checkSource(
  id: string,
  project: string | undefined,
  repos: Pick<Repositories, 'experiments'>,
): Promise<SourceCheck> {
  const source = await repos.experiments.get(id);
  if (!source || (project !== undefined && source.project !== project)) {
    return { problem: `no experiment ${id} in this project` };
  }
  if (!FINISHED.has(source.status)) {
    return {
      problem: `experiment ${id} is ${source.status}; a warm start needs one that finished (succeeded or stopped)`,
    };
  }
  const spec = ExperimentSpec.safeParse(source.spec);
  if (!spec.success) return { problem: `experiment ${id} has a spec this version cannot read` };
  return { problem: null, input: inputOf(spec.data) };
}
