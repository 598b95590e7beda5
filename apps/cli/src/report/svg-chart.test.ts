import { describe, expect, it } from 'vitest';
import { chartSvg } from './svg-chart';

describe('chartSvg', () => {
  it('marks a series of a single point (a one-epoch run), which a line alone would not show', () => {
    const svg = chartSvg({
      title: 't',
      xLabel: 'epoch',
      yLabel: 'error',
      panels: [
        {
          title: 'all',
          series: [
            { label: 'one epoch', colour: '#000000', width: 2.5, points: [{ x: 1, y: 0.1 }] },
            {
              label: 'two epochs',
              colour: '#0072B2',
              width: 1,
              points: [
                { x: 1, y: 0.2 },
                { x: 2, y: 0.1 },
              ],
            },
          ],
        },
      ],
    });
    expect(svg.match(/<circle class="point"/g)).toHaveLength(1);
    expect(svg).toMatch(/<circle class="point" [^>]*r="4.5" fill="#000000"><title>one epoch<\/title>/);
  });
});
