/** The grid summary's degradation check, in words. */
import type { Summary } from '../../api/types';
import { formatMetric } from '../../format';

export interface Verdict {
  headline: string;
  tone: 'good' | 'bad' | 'neutral';
  details: string[];
}

const depthRun = (steps: { fromDepth: number; toDepth: number }[]) =>
  [steps[0]!.fromDepth, ...steps.map((s) => s.toDepth)].join(' → ');

export function degradationVerdict(check: Summary['degradation'] | undefined): Verdict {
  if (!check || check.series.length === 0) {
    return {
      headline:
        'No verdict yet: it needs succeeded plain or residual networks at two or more depths ' +
        'that differ only in depth.',
      tone: 'neutral',
      details: [],
    };
  }
  const details = check.series
    .filter((s) => s.steps.length > 0)
    .map((s) => {
      const steps = s.steps.map((st) => {
        const change = `${formatMetric(st.from)} → ${formatMetric(st.to)}`;
        return `depth ${st.fromDepth} → ${st.toDepth}: ${st.metric} ${change} (${st.verdict})`;
      });
      const kind = s.residual ? 'residual' : 'plain';
      return `${s.family} (${kind}, depths ${depthRun(s.steps)}): ${steps.join('; ')}.`;
    });

  const plain =
    check.plainDegrades === null
      ? null
      : check.plainDegrades
        ? 'deeper plain networks trained worse'
        : 'deeper plain networks did not train worse';
  const residual =
    check.residualImproves === null
      ? null
      : check.residualImproves
        ? 'deeper residual networks trained better'
        : 'deeper residual networks did not train better';
  const said = [plain, residual].filter(Boolean).join(', and ');
  const sentence = said.charAt(0).toUpperCase() + said.slice(1);

  if (check.reproduced === true) {
    return {
      headline: `Degradation reproduced: ${said} — the paper's finding (He et al. 2015, Fig. 4).`,
      tone: 'good',
      details,
    };
  }
  if (check.reproduced === false) {
    return { headline: `Degradation not reproduced: ${said}.`, tone: 'bad', details };
  }
  return {
    headline: `${sentence}. The full check needs both plain and residual networks at two depths.`,
    tone: 'neutral',
    details,
  };
}
