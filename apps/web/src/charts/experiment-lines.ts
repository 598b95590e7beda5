import type { Metrics } from '../api/types';
import { PALETTE, type Line, type Split } from './shape';

/** Colours of the splits when one experiment is drawn alone: held-out sets stand apart from training. */
const SPLIT_COLOURS: Record<Split, string> = { train: PALETTE[0]!, validation: PALETTE[0]!, test: PALETTE[1]! };

/**
 * One line per split of one metric: thin training, bold held-out, as on the grid page. `colour`
 * paints every split one colour (one experiment among several); without it the splits get theirs.
 * `heldOutOnly` keeps training and one held-out split (validation, else test) for overlays.
 */
export function experimentLines(
  metrics: Metrics['metrics'],
  name: string,
  { colour, prefix = '', heldOutOnly = false }: { colour?: string; prefix?: string; heldOutOnly?: boolean } = {},
): Line[] {
  const all = (['train', 'validation', 'test'] as const)
    .map((split) => ({
      split,
      points: metrics
        .filter((m) => m.split === split && m.name === name)
        .sort((a, b) => a.epoch - b.epoch)
        .map((m) => ({ epoch: m.epoch, mean: m.value, std: 0, n: 1 })),
    }))
    .filter((s) => s.points.length > 0);
  const hasValidation = all.some((s) => s.split === 'validation');
  return all
    .filter((s) => !heldOutOnly || s.split !== 'test' || !hasValidation)
    .map((s) => ({
      id: `${prefix}${s.split}`,
      label: `${prefix}${s.split} ${name}`,
      colour: colour ?? SPLIT_COLOURS[s.split],
      split: s.split,
      width: s.split === 'train' ? 1 : 2.5,
      band: false,
      points: s.points,
    }));
}
