/**
 * Chart downloads in the browser: CSV text, and PNG images drawn from what is on screen — a uPlot
 * canvas, or one of the SVG charts (which carry their styles inline so that they render alone).
 * Either way the title goes on top and the legend's entries below, on white, at the screen's pixel
 * density.
 */

function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // The click has handed the URL to the download; give it a moment before letting it go.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadCsv(csv: string, name: string): void {
  save(new Blob([csv], { type: 'text/csv;charset=utf-8' }), name);
}

async function svgImage(svg: SVGSVGElement): Promise<HTMLImageElement> {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  const { width, height } = svg.getBoundingClientRect();
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('width', String(width));
  copy.setAttribute('height', String(height));
  const url = URL.createObjectURL(new Blob([new XMLSerializer().serializeToString(copy)], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    return image;
  } finally {
    URL.revokeObjectURL(url);
  }
}

const FONT = '13px system-ui, sans-serif';
const PAD = 12;
const LINE = 18;

/** The figure's plot (canvas or SVG) with its caption and legend, as a PNG download. */
export async function downloadPng(figure: HTMLElement, name: string): Promise<void> {
  const canvas = figure.querySelector('canvas');
  const svg = figure.querySelector<SVGSVGElement>('svg.chart-svg');
  const plot = canvas ?? (svg ? await svgImage(svg) : null);
  if (!plot) throw new Error('nothing to export in this chart');
  const scale = canvas ? 1 : window.devicePixelRatio || 1;
  // A uPlot canvas is already at device pixels; CSS pixels are what the text is laid out in.
  const ratio = canvas ? canvas.width / canvas.getBoundingClientRect().width || 1 : scale;
  const plotWidth = canvas ? canvas.width : (plot as HTMLImageElement).width * scale;
  const plotHeight = canvas ? canvas.height : (plot as HTMLImageElement).height * scale;
  const title = figure.querySelector('figcaption')?.textContent ?? '';
  const legend = [...figure.querySelectorAll('.legend li')].map((li) => li.textContent ?? '');
  const out = document.createElement('canvas');
  out.width = plotWidth;
  out.height = plotHeight + ratio * (PAD * 2 + LINE * (1 + legend.length));
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.scale(ratio, ratio);
  ctx.fillStyle = '#111';
  ctx.font = `bold ${FONT}`;
  ctx.fillText(title, PAD, PAD + 12);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.drawImage(plot, 0, ratio * (PAD + LINE), plotWidth, plotHeight);
  ctx.scale(ratio, ratio);
  ctx.font = FONT;
  legend.forEach((text, i) => ctx.fillText(text, PAD, (PAD + LINE + plotHeight / ratio + LINE * (i + 1)) | 0));
  const blob = await new Promise<Blob | null>((resolve) => out.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('the browser could not encode the image');
  save(blob, name);
}
