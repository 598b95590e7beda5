import { resolveTrainingSpec, type EarlyStoppingSpec, type ExperimentSpec, type GridExpansion } from '@resnet-lab/spec';
import { AppError } from '../errors';

/**
 * Refuses an early-stopping rule whose metric some member would never record: the rule would
 * silently decide nothing for it. Validation metrics need a validation split; test metrics are
 * recorded every epoch only with `evaluateTest: every-epoch` (or without a validation split).
 */
export function checkEarlyStopping(rule: EarlyStoppingSpec | undefined, expansion: GridExpansion): void {
  if (!rule) return;
  const split = rule.metric.slice(0, rule.metric.indexOf('.'));
  const point = expansion.points.find((p) => !recordsEveryEpoch(p.spec, split));
  if (!point) return;
  const why =
    split === 'validation'
      ? 'has no validation split (dataset.validationSplit is 0)'
      : 'does not evaluate the test set every epoch (training.evaluateTest)';
  throw new AppError('VALIDATION', `earlyStopping.metric ${rule.metric}: point ${point.index} ${why}`, [
    {
      field: 'earlyStopping.metric',
      message: `point ${point.index} ${why}; use train.* or a split every point records each epoch`,
      index: point.index,
      values: point.values,
    },
  ]);
}

function recordsEveryEpoch(spec: ExperimentSpec, split: string): boolean {
  const hasValidation = spec.dataset.validationSplit > 0;
  if (split === 'validation') return hasValidation;
  if (split === 'test') return !hasValidation || resolveTrainingSpec(spec.training).evaluateTest === 'every-epoch';
  return true;
}
