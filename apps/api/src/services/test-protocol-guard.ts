import { describeModel, ModelBuildError } from '@resnet-lab/models';
import {
  ARCHITECTURE_CATALOG,
  canonicalJson,
  defaultTestScales,
  resolveExperiment,
  type ExperimentSpec,
} from '@resnet-lab/spec';
import { AppError, type FieldError } from '../errors';

/**
 * The dense and multi-scale test protocols run the trained weights through the network built for
 * other input sizes: only a network whose weights do not depend on the size (global average
 * pooling before the classifier, the same stem) can. Checked at submit, for each distinct network
 * and size, so that a run does not train to the end and then fail; a 400 names the field.
 */
export function checkTestProtocols(
  points: readonly { spec: ExperimentSpec; index?: number; values?: Record<string, unknown> }[],
): void {
  const verdicts = new Map<string, string | null>();
  const errors: FieldError[] = [];
  for (const point of points) {
    const t = point.spec.training;
    const protocols = t.testProtocols ?? [];
    if (!protocols.includes('dense') && !protocols.includes('multi-scale')) continue;
    const arch = resolveExperiment(point.spec).architecture;
    const size = arch.inputSize!;
    const checks: [string, number[]][] = [];
    if (protocols.includes('dense')) checks.push(['training.denseScale', [t.denseScale ?? size]]);
    if (protocols.includes('multi-scale')) {
      const min = ARCHITECTURE_CATALOG[arch.family].minInputSize;
      checks.push(['training.testScales', t.testScales ?? defaultTestScales(size, min)]);
    }
    for (const [field, sizes] of checks) {
      for (const other of sizes) {
        const key = canonicalJson({ arch, other });
        if (!verdicts.has(key)) verdicts.set(key, sameWeights(arch, other));
        const problem = verdicts.get(key)!;
        if (!problem) continue;
        const where = point.index === undefined ? {} : { index: point.index, values: point.values ?? {} };
        errors.push({ field, message: problem, ...where });
        break;
      }
    }
  }
  if (errors.length === 0) return;
  const first = errors[0]!;
  const what = first.index === undefined ? first.message : `point ${first.index}: ${first.message}`;
  throw new AppError('VALIDATION', `${first.field}: ${what}`, errors.slice(0, 20));
}

/** Null when the network at `size` pixels has the same weights as at its own size; else why not. */
function sameWeights(arch: ReturnType<typeof resolveExperiment>['architecture'], size: number): string | null {
  const weights = (a: typeof arch) =>
    describeModel(a)
      .layers.filter((l) => l.params > 0)
      .map((l) => `${l.name}:${l.params}`)
      .join();
  try {
    if (weights(arch) === weights({ ...arch, inputSize: size })) return null;
  } catch (error) {
    if (!(error instanceof ModelBuildError)) throw error;
    return `at ${size} pixels the network cannot be built: ${error.message}`;
  }
  return (
    `at ${size} pixels ${arch.family} has other weights than at ${arch.inputSize} (a fully connected head ` +
    'over a fixed map, or another stem): dense and multi-scale evaluation need a network that ends in ' +
    'global average pooling'
  );
}
