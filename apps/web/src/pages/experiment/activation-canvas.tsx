/** One 8-bit image (a grey activation map, or the RGB/grey input image) on a canvas, pixels kept square and sharp. */
import { useEffect, useRef } from 'react';

export function ByteImage({
  bytes,
  width,
  height,
  channels,
  displayWidth,
  label,
}: {
  /** HWC bytes (channels 1 or 3; others show their first channel). */
  bytes: Uint8Array;
  width: number;
  height: number;
  channels: number;
  /** CSS pixels; the canvas itself has one pixel per value and is upscaled without smoothing. */
  displayWidth: number;
  label: string;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const context = ref.current?.getContext('2d');
    if (!context) return;
    const image = context.createImageData(width, height);
    for (let p = 0; p < width * height; p++) {
      const base = p * channels;
      const rgb = channels === 3;
      image.data[p * 4] = bytes[base]!;
      image.data[p * 4 + 1] = bytes[rgb ? base + 1 : base]!;
      image.data[p * 4 + 2] = bytes[rgb ? base + 2 : base]!;
      image.data[p * 4 + 3] = 255;
    }
    context.putImageData(image, 0, 0);
  }, [bytes, width, height, channels]);
  return (
    <canvas
      ref={ref}
      className="pixelated"
      width={width}
      height={height}
      style={{ width: displayWidth, height: Math.round((displayWidth * height) / width) }}
      role="img"
      aria-label={label}
    />
  );
}

/** base64 → bytes, for the API's compact encodings. */
export function fromBase64(b64: string): Uint8Array {
  const text = atob(b64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}
