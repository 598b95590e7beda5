import { defaultDenseScales, denseEvaluationGraph, ModelBuildError } from '@resnet-lab/models';
import { canonicalJson, resolveExperiment, type ExperimentSpec } from '@resnet-lab/spec';
import { AppError, type FieldError } from '../errors';

/**
 * The dense and multi-scale test protocols run the trained weights through the network laid out
 * for other input sizes (`denseEvaluationGraph`): the same layers before the classifier, and a map
 * at least as large as the one a fully connected head was trained on. Checked at submit, for each
 * distinct network and size, so that a run does not train to the end and then fail; a 400 names
 * the field.
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
    if (protocols.includes('multi-scale'))
      checks.push(['training.testScales', t.testScales ?? defaultDenseScales(arch)]);
    for (const [field, sizes] of checks) {
      for (const other of sizes) {
        const key = canonicalJson({ arch, other });
        if (!verdicts.has(key)) verdicts.set(key, denseProblem(arch, other));
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

/** Null when the network can be evaluated densely at `size` pixels; else why not. */
function denseProblem(arch: ReturnType<typeof resolveExperiment>['architecture'], size: number): string | null {
  try {
    denseEvaluationGraph(arch, size);
    return null;
  } catch (error) {
    if (!(error instanceof ModelBuildError)) throw error;
    return error.message.startsWith('at ') ? error.message : `at ${size} pixels: ${error.message}`;
  }
}
