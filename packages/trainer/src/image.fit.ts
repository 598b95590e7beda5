import type { ImageSet } from './image-set.types';

export interface TargetShape {
  height: number;
  width: number;
  channels: number;
}

/**
 * Makes stored images match the network's input, once, at load time:
 * - larger input: zero (black) padding centred, e.g. MNIST 28x28 -> 32x32 for LeNet-5 and the CIFAR
 *   families (LeCun et al. padded MNIST to 32x32 the same way);
 * - smaller input (or one dimension smaller): nearest-neighbour resampling;
 * - channels: grey -> RGB repeats the plane; RGB -> grey averages the channels.
 * Returns the images unchanged when the shapes already match.
 */
export function fitImages(set: ImageSet, target: TargetShape): { set: ImageSet; description: string | null } {
  const { height: h, width: w, channels: c } = set;
  if (h === target.height && w === target.width && c === target.channels) return { set, description: null };
  if (c !== target.channels && !(c === 1 || target.channels === 1)) {
    throw new RangeError(`cannot convert ${c}-channel images to ${target.channels} channels`);
  }
  const th = target.height;
  const tw = target.width;
  const tc = target.channels;
  const pad = th >= h && tw >= w;
  const top = Math.floor((th - h) / 2);
  const left = Math.floor((tw - w) / 2);
  const inSize = h * w * c;
  const outSize = th * tw * tc;
  const images = new Uint8Array(set.count * outSize);
  for (let n = 0; n < set.count; n++) {
    const src = n * inSize;
    const dst = n * outSize;
    for (let y = 0; y < th; y++) {
      for (let x = 0; x < tw; x++) {
        let sy: number;
        let sx: number;
        if (pad) {
          sy = y - top;
          sx = x - left;
          if (sy < 0 || sy >= h || sx < 0 || sx >= w) continue; // stays 0
        } else {
          sy = Math.min(h - 1, Math.floor(((y + 0.5) * h) / th));
          sx = Math.min(w - 1, Math.floor(((x + 0.5) * w) / tw));
        }
        const s = src + (sy * w + sx) * c;
        const d = dst + (y * tw + x) * tc;
        if (c === tc) {
          for (let ch = 0; ch < c; ch++) images[d + ch] = set.images[s + ch]!;
        } else if (c === 1) {
          for (let ch = 0; ch < tc; ch++) images[d + ch] = set.images[s]!;
        } else {
          let sum = 0;
          for (let ch = 0; ch < c; ch++) sum += set.images[s + ch]!;
          images[d] = Math.round(sum / c);
        }
      }
    }
  }
  const how = [
    h !== th || w !== tw ? `${pad ? 'zero-padded' : 'resampled (nearest)'} ${h}x${w} -> ${th}x${tw}` : null,
    c !== tc ? `${c} -> ${tc} channels` : null,
  ]
    .filter(Boolean)
    .join(', ');
  return { set: { ...set, images, height: th, width: tw, channels: tc }, description: how };
}
