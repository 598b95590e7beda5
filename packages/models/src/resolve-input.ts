import { ARCHITECTURE_CATALOG, type ArchitectureSpec } from '@resnet-lab/spec';

export interface ResolvedInput {
  size: number;
  channels: number;
  classes: number;
}

/** Input and class count of a spec, the family's defaults standing in for undefined fields. */
export function resolveInput(arch: ArchitectureSpec): ResolvedInput {
  const d = ARCHITECTURE_CATALOG[arch.family].defaultInput;
  return {
    size: arch.inputSize ?? d.size,
    channels: arch.inputChannels ?? d.channels,
    classes: arch.numClasses ?? d.classes,
  };
}

/** A paper width scaled by the width multiplier: rounded, never below one channel or unit. */
export function scaleWidth(width: number, multiplier: number): number {
  return Math.max(1, Math.round(width * multiplier));
}

/** Whether the family's ImageNet stem is replaced by the small-input stem for this input size. */
export function usesSmallStem(arch: ArchitectureSpec, size: number): boolean {
  const below = ARCHITECTURE_CATALOG[arch.family].smallStemBelow;
  return below !== undefined && size < below;
}
