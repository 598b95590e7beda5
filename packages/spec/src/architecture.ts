import { z } from 'zod';

/**
 * The network to train. One flat object for every family (rather than a union per family) so
 * that a grid axis such as `architecture.depth` means the same thing everywhere. Impossible
 * combinations are rejected by the refinement below; fields that merely do not apply to a family
 * are accepted (so that a grid can cross `family` with `shortcut`) and reset by
 * `normalizeArchitecture`, which `specHash` runs, so that equal networks hash equal.
 */
export const ARCHITECTURE_FAMILIES = [
  'cifar-resnet',
  'cifar-plain',
  'resnet',
  'plain',
  'vgg',
  'vgg16-skip',
  'lenet5',
  'alexnet',
  'googlenet',
] as const;
export const ArchitectureFamily = z.enum(ARCHITECTURE_FAMILIES);
export type ArchitectureFamily = z.infer<typeof ArchitectureFamily>;

export const ShortcutType = z.enum(['A', 'B', 'C']);
export type ShortcutType = z.infer<typeof ShortcutType>;

export const SHORTCUT_KERNELS = [1, 3, 5, 7] as const;
export const ShortcutKernel = z.union([z.literal(1), z.literal(3), z.literal(5), z.literal(7)]);
export type ShortcutKernel = z.infer<typeof ShortcutKernel>;

/**
 * How a stride-2 convolution or pooling with a kernel larger than 1 is padded.
 * `symmetric`: (k-1)/2 on every side, as Caffe and PyTorch do; taps centre on even rows and
 * columns, the ones option A's shortcut subsamples. `tf-same`: TensorFlow's "same", which pads
 * only bottom and right on even inputs, centring taps on odd rows. Counts are identical.
 */
export const PADDING_MODES = ['symmetric', 'tf-same'] as const;
export const PaddingMode = z.enum(PADDING_MODES);
export type PaddingMode = z.infer<typeof PaddingMode>;

/** Defaults of the fields whose meaning depends on the family; also what normalisation resets to. */
export const ARCHITECTURE_DEFAULTS = {
  family: 'cifar-resnet',
  depth: 20,
  shortcut: 'A',
  shortcutKernel: 1,
  widthMultiplier: 1,
  padding: 'symmetric',
  skipVersion: 1,
  auxHeads: false,
  batchNorm: true,
} as const;

/** Options a family can be tuned with, beyond depth, width and the input/output sizes. */
export type ArchitectureOption = 'shortcut' | 'shortcutKernel' | 'padding' | 'skipVersion' | 'auxHeads' | 'batchNorm';

/** Allowed values and default of each option, as the catalog lists them per family. */
export const ARCHITECTURE_OPTION_VALUES = {
  shortcut: { values: ['A', 'B', 'C'], default: ARCHITECTURE_DEFAULTS.shortcut },
  shortcutKernel: { values: [1, 3, 5, 7], default: ARCHITECTURE_DEFAULTS.shortcutKernel },
  padding: { values: ['symmetric', 'tf-same'], default: ARCHITECTURE_DEFAULTS.padding },
  skipVersion: { values: [1, 2], default: ARCHITECTURE_DEFAULTS.skipVersion },
  auxHeads: { values: [false, true], default: ARCHITECTURE_DEFAULTS.auxHeads },
  batchNorm: { values: [true, false], default: ARCHITECTURE_DEFAULTS.batchNorm },
} as const satisfies Record<ArchitectureOption, { values: readonly unknown[]; default: unknown }>;

export interface DepthRule {
  /** Explicit list of allowed depths, or the 6n+2 rule of the CIFAR nets. */
  readonly kind: 'list' | '6n+2';
  readonly values: readonly number[];
  readonly min?: number;
  readonly max?: number;
}

export interface ArchitectureFamilyInfo {
  readonly family: ArchitectureFamily;
  readonly description: string;
  readonly depths: DepthRule;
  /** The depth the paper's flagship model of this family has; `depth` itself defaults to 20. */
  readonly typicalDepth: number;
  readonly options: readonly ArchitectureOption[];
  /** The same options with their allowed values and defaults, for clients building forms. */
  readonly optionValues: Partial<
    Record<
      ArchitectureOption,
      { readonly values: readonly (string | number | boolean)[]; readonly default: string | number | boolean }
    >
  >;
  /** Used by describe/build when the spec leaves them undefined and no dataset fills them. */
  readonly defaultInput: { readonly size: number; readonly channels: number; readonly classes: number };
  readonly minInputSize: number;
  /** Inputs below this size get the small stem (3x3 stride-1 first conv, no stem pooling). */
  readonly smallStemBelow?: number;
  readonly notes: string;
}

const CIFAR_DEPTHS: DepthRule = { kind: '6n+2', values: [20, 32, 44, 56, 110], min: 8, max: 1202 };
const IMAGENET_RESNET_DEPTHS: DepthRule = { kind: 'list', values: [18, 34, 50, 101, 152] };

type FamilyEntry = Omit<ArchitectureFamilyInfo, 'optionValues'>;

function withOptionValues(
  entries: Record<ArchitectureFamily, FamilyEntry>,
): Record<ArchitectureFamily, ArchitectureFamilyInfo> {
  const out = {} as Record<ArchitectureFamily, ArchitectureFamilyInfo>;
  for (const family of ARCHITECTURE_FAMILIES) {
    const e = entries[family];
    out[family] = { ...e, optionValues: Object.fromEntries(e.options.map((o) => [o, ARCHITECTURE_OPTION_VALUES[o]])) };
  }
  return out;
}

/** Plain data, served as is by `GET /v1/architectures`. */
export const ARCHITECTURE_CATALOG: Readonly<Record<ArchitectureFamily, ArchitectureFamilyInfo>> = withOptionValues({
  'cifar-resnet': {
    family: 'cifar-resnet',
    description:
      'CIFAR ResNet (He et al. 2015, sec. 4.2): 3x3 conv 16, three stages of n basic blocks at 16/32/64 filters, ' +
      'depth 6n+2.',
    depths: CIFAR_DEPTHS,
    typicalDepth: 20,
    options: ['shortcut', 'shortcutKernel', 'padding'],
    defaultInput: { size: 32, channels: 3, classes: 10 },
    minInputSize: 8,
    notes: 'Option A (paper default) adds no trainable parameters; shortcutKernel applies to B/C projections.',
  },
  'cifar-plain': {
    family: 'cifar-plain',
    description: 'The CIFAR ResNet without shortcuts (the degradation baseline of Figure 6).',
    depths: CIFAR_DEPTHS,
    typicalDepth: 20,
    options: ['padding'],
    defaultInput: { size: 32, channels: 3, classes: 10 },
    minInputSize: 8,
    notes: 'No shortcuts, so shortcut and shortcutKernel do not apply.',
  },
  resnet: {
    family: 'resnet',
    description:
      'ImageNet ResNet: 7x7/2 conv 64, 3x3/2 max pool, four stages (basic blocks for 18/34, ' +
      'bottleneck for 50/101/152), global average pool, fc.',
    depths: IMAGENET_RESNET_DEPTHS,
    typicalDepth: 50,
    options: ['shortcut', 'shortcutKernel', 'padding'],
    defaultInput: { size: 224, channels: 3, classes: 1000 },
    minInputSize: 8,
    smallStemBelow: 64,
    notes:
      'Bottleneck blocks downsample in their first 1x1 conv, as in the paper (its 3.8e9 FLOPs for ResNet-50). ' +
      'Inputs below 64 px use a 3x3 stride-1 stem conv and no stem max pool.',
  },
  plain: {
    family: 'plain',
    description: 'The ImageNet ResNet layout without shortcuts (plain-18/34 of Table 2).',
    depths: IMAGENET_RESNET_DEPTHS,
    typicalDepth: 34,
    options: ['padding'],
    defaultInput: { size: 224, channels: 3, classes: 1000 },
    minInputSize: 8,
    smallStemBelow: 64,
    notes: 'Inputs below 64 px use a 3x3 stride-1 stem conv and no stem max pool.',
  },
  vgg: {
    family: 'vgg',
    description:
      'VGG configurations A/B/D/E (11/13/16/19 weight layers): 3x3 convs, 2x2/2 max pools, fc 4096-4096-classes.',
    depths: { kind: 'list', values: [11, 13, 16, 19] },
    typicalDepth: 16,
    options: ['batchNorm'],
    defaultInput: { size: 224, channels: 3, classes: 1000 },
    minInputSize: 8,
    notes:
      "Batch norm after every conv (convs without bias). Pools use 'same' padding so 28x28 inputs work; " +
      "fc widths scale with widthMultiplier. batchNorm: false is the paper's net (convs with bias, " +
      'no batch norm; VGG-16 has 138,357,544 parameters at 224/1000).',
  },
  'vgg16-skip': {
    family: 'vgg16-skip',
    description:
      'VGG-16 with a skip per block for the shortcut-kernel study on MNIST: ' +
      'v1 adds H(x) (k x k stride-2 conv) after pooling; v2 has no pooling, H matches channels, ' +
      'then global average pool and fc.',
    depths: { kind: 'list', values: [16] },
    typicalDepth: 16,
    options: ['shortcutKernel', 'skipVersion', 'padding'],
    defaultInput: { size: 28, channels: 1, classes: 10 },
    minInputSize: 8,
    notes: 'H is always a k x k conv + batch norm (shortcut type does not apply).',
  },
  lenet5: {
    family: 'lenet5',
    description: 'LeNet-5: conv 5x5 6, pool, conv 5x5 16, pool, fc 120, fc 84, fc classes.',
    depths: { kind: 'list', values: [5] },
    typicalDepth: 5,
    options: ['batchNorm'],
    defaultInput: { size: 32, channels: 1, classes: 10 },
    minInputSize: 16,
    notes:
      'Modernised: batch norm + ReLU after each conv, 2x2 average pooling (the original subsampling), ' +
      'unpadded convs; a 28x28 input gives a 4x4x16 map before fc 120. batchNorm: false is LeCun et al. 1998: ' +
      'tanh after every conv and hidden fc, no batch norm (61,706 parameters at 32x32: C3 fully connected).',
  },
  alexnet: {
    family: 'alexnet',
    description:
      'AlexNet, single tower: conv 11x11/4 96, conv 5x5 256, conv 3x3 384-384-256, three 3x3/2 max pools, ' +
      'fc 4096-4096-classes.',
    depths: { kind: 'list', values: [8] },
    typicalDepth: 8,
    options: ['batchNorm'],
    defaultInput: { size: 224, channels: 3, classes: 1000 },
    minInputSize: 8,
    smallStemBelow: 64,
    notes:
      'Batch norm instead of local response normalisation; the first conv pads 2 (224 -> 55). ' +
      "Below 64 px: 3x3 stride-1 first conv and 'same' pools. batchNorm: false is the paper's net: " +
      'conv2/4/5 in two groups, local response normalisation after conv1 and conv2, convs with bias ' +
      '(60,965,224 parameters at 224/1000).',
  },
  googlenet: {
    family: 'googlenet',
    description:
      'GoogLeNet (Inception v1), 22 layers: stem, inception 3a-3b, 4a-4e, 5a-5b, global average pool, ' +
      'dropout 0.4, fc; optional auxiliary heads after 4a and 4d.',
    depths: { kind: 'list', values: [22] },
    typicalDepth: 22,
    options: ['auxHeads', 'padding', 'batchNorm'],
    defaultInput: { size: 224, channels: 3, classes: 1000 },
    minInputSize: 8,
    smallStemBelow: 64,
    notes:
      'Batch norm after every conv, true 5x5 branches. ' +
      'With auxHeads the model has three outputs: main, aux after 4a, aux after 4d. ' +
      'Below 64 px the stem keeps its convs (3x3 stride-1 first conv) and drops its pools. ' +
      "batchNorm: false is the paper's net: convs with bias, no batch norm, local response " +
      'normalisation after the first pool and after the third conv.',
  },
});

export function isAllowedDepth(family: ArchitectureFamily, depth: number): boolean {
  const rule = ARCHITECTURE_CATALOG[family].depths;
  if (rule.kind === 'list') return rule.values.includes(depth);
  return (depth - 2) % 6 === 0 && depth >= (rule.min ?? 8) && depth <= (rule.max ?? Infinity);
}

function describeDepthRule(family: ArchitectureFamily): string {
  const rule = ARCHITECTURE_CATALOG[family].depths;
  if (rule.kind === 'list') return `one of ${rule.values.join(', ')}`;
  return `6n+2 between ${rule.min} and ${rule.max} (${rule.values.join(', ')}, ...)`;
}

/**
 * A family's depth when the spec leaves it out: `{ family: 'lenet5' }` or `{ family: 'resnet' }`
 * mean the family's usual network rather than an error about a depth nobody asked for.
 */
function withFamilyDepth(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || 'depth' in raw) return raw;
  const family = (raw as { family?: unknown }).family;
  if (typeof family !== 'string' || !(family in ARCHITECTURE_CATALOG)) return raw;
  return { ...raw, depth: ARCHITECTURE_CATALOG[family as ArchitectureFamily].typicalDepth };
}

const ArchitectureObject = z
  .object({
    family: ArchitectureFamily.default(ARCHITECTURE_DEFAULTS.family),
    /** Defaults to the family's usual depth (`typicalDepth` in the catalogue). */
    depth: z.number().int().positive().default(ARCHITECTURE_DEFAULTS.depth),
    shortcut: ShortcutType.default(ARCHITECTURE_DEFAULTS.shortcut),
    /** Kernel size k of the projection shortcut H (k x k conv + batch norm); 1 is the paper's. */
    shortcutKernel: ShortcutKernel.default(ARCHITECTURE_DEFAULTS.shortcutKernel),
    /** Multiplies every conv width and hidden fc width (rounded, at least 1); not the class count. */
    widthMultiplier: z.number().positive().max(8).default(ARCHITECTURE_DEFAULTS.widthMultiplier),
    padding: PaddingMode.default(ARCHITECTURE_DEFAULTS.padding),
    /** vgg16-skip only: 1 = H after pooling (stride 2), 2 = no pooling, H matches channels. */
    skipVersion: z.union([z.literal(1), z.literal(2)]).default(ARCHITECTURE_DEFAULTS.skipVersion),
    /** googlenet only: the two auxiliary classifiers of the paper, as extra model outputs. */
    auxHeads: z.boolean().default(ARCHITECTURE_DEFAULTS.auxHeads),
    /**
     * vgg, alexnet, googlenet, lenet5: false builds the paper's own network from before batch norm
     * existed (see each family's notes). Left undefined when true, so that the specs (and hashes)
     * of every network built before the option existed stay as they were.
     */
    batchNorm: z.boolean().optional(),
    /** Square input side; undefined follows the dataset, else the family default. */
    inputSize: z.number().int().min(1).max(1024).optional(),
    inputChannels: z.number().int().min(1).max(64).optional(),
    numClasses: z.number().int().min(2).max(100_000).optional(),
  })
  .strict()
  .superRefine((arch, ctx) => {
    const info = ARCHITECTURE_CATALOG[arch.family];
    if (!isAllowedDepth(arch.family, arch.depth)) {
      ctx.addIssue({
        code: 'custom',
        path: ['depth'],
        message: `depth must be ${describeDepthRule(arch.family)} for ${arch.family}, got ${arch.depth}`,
      });
    }
    if (arch.inputSize !== undefined && arch.inputSize < info.minInputSize) {
      ctx.addIssue({
        code: 'custom',
        path: ['inputSize'],
        message: `inputSize must be at least ${info.minInputSize} for ${arch.family}, got ${arch.inputSize}`,
      });
    }
  });

export const ArchitectureSpec = z.preprocess(withFamilyDepth, ArchitectureObject);
export type ArchitectureSpec = z.infer<typeof ArchitectureSpec>;
export type ArchitectureSpecInput = z.input<typeof ArchitectureObject>;

/**
 * The canonical form of a spec: options that do not apply to its family are reset to their
 * defaults (a plain net has no shortcut; option A has no projection, so no projection kernel),
 * so that two specs describing the same network compare (and hash) equal.
 */
export function normalizeArchitecture(a: ArchitectureSpec): ArchitectureSpec {
  const options = new Set(ARCHITECTURE_CATALOG[a.family].options);
  const out: ArchitectureSpec = { ...a };
  if (!options.has('shortcut')) out.shortcut = ARCHITECTURE_DEFAULTS.shortcut;
  const hasProjection = options.has('shortcutKernel') && (!options.has('shortcut') || out.shortcut !== 'A');
  if (!hasProjection) out.shortcutKernel = ARCHITECTURE_DEFAULTS.shortcutKernel;
  if (!options.has('padding')) out.padding = ARCHITECTURE_DEFAULTS.padding;
  if (!options.has('skipVersion')) out.skipVersion = ARCHITECTURE_DEFAULTS.skipVersion;
  if (!options.has('auxHeads')) out.auxHeads = ARCHITECTURE_DEFAULTS.auxHeads;
  // Only the paper variant is spelled out: `batchNorm: true` and no batchNorm are the same network.
  if (!options.has('batchNorm') || out.batchNorm !== false) delete out.batchNorm;
  return out;
}
