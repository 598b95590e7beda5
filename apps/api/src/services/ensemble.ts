import type { StoredTestScores } from '@resnet-lab/db';
import { reportsTop5 } from '@resnet-lab/spec';

export interface ScoreMetrics {
  loss: number;
  error: number;
  top5Error?: number;
}

/**
 * Cross-entropy, top-1 and (more than 5 classes) top-5 error of per-image class probabilities,
 * as the trainer scores logits: ties count against the true class.
 */
export function scoreMetrics(probabilities: Float32Array | Float64Array, labels: Int32Array, classes: number) {
  let loss = 0;
  let wrong = 0;
  let wrong5 = 0;
  for (let n = 0; n < labels.length; n++) {
    const row = n * classes;
    const target = probabilities[row + labels[n]!]!;
    loss -= Math.log(Math.max(target, Number.MIN_VALUE));
    let above = 0;
    for (let j = 0; j < classes; j++) if (j !== labels[n] && probabilities[row + j]! >= target) above++;
    if (above >= 1) wrong++;
    if (above >= 5) wrong5++;
  }
  const count = Math.max(1, labels.length);
  const out: ScoreMetrics = { loss: loss / count, error: wrong / count };
  if (reportsTop5(classes)) out.top5Error = wrong5 / count;
  return out;
}

/** Why these scores cannot be averaged (other test images), or null when they can. */
export function ensembleProblem(scores: StoredTestScores[]): string | null {
  const [first, ...rest] = scores;
  for (const s of rest) {
    if (s.classes !== first!.classes || s.labels.length !== first!.labels.length) {
      return `experiments ${first!.experimentId} and ${s.experimentId} were scored on different test sets`;
    }
    for (let i = 0; i < s.labels.length; i++) {
      if (s.labels[i] !== first!.labels[i]) {
        return `experiments ${first!.experimentId} and ${s.experimentId} were scored on different test images`;
      }
    }
  }
  return null;
}

/** The members' probabilities averaged image by image (float64 sums), scored. */
export function ensembleMetrics(scores: StoredTestScores[]): ScoreMetrics & { images: number; classes: number } {
  const { classes, labels } = scores[0]!;
  const mean = new Float64Array(labels.length * classes);
  for (const s of scores) for (let i = 0; i < mean.length; i++) mean[i]! += s.probabilities[i]! / scores.length;
  return { ...scoreMetrics(mean, labels, classes), images: labels.length, classes };
}
