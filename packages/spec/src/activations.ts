import { z } from 'zod';
import { urlInteger } from './url-integers';

/**
 * "Inside a network": the layers of an experiment's network whose activation maps can be shown,
 * and one layer's maps for one test image. Shared by the API (its response schemas, so they are
 * in /openapi.json) and the dashboard (type-only).
 */

/**
 * `skip-add`: the sum of a residual block's two paths (the skip connection joins here);
 * `block-output`: the output of a block (after its closing ReLU, or an Inception concat), which
 * plain nets have too, so plain and residual can be compared at the same place;
 * `layer`: any other layer.
 */
export const ActivationLayerRole = z.enum(['skip-add', 'block-output', 'layer']);

export const ActivationLayerView = z.object({
  name: z.string(),
  kind: z.string(),
  /** Without the batch axis: [height, width, channels], or [units] for flat layers. */
  outputShape: z.array(z.number().int()),
  role: ActivationLayerRole,
  /** Only layers with a spatial [height, width, channels] output have maps to show. */
  spatial: z.boolean(),
});

export const ActivationLayersResponse = z.object({
  experimentId: z.uuid(),
  /** Epochs with a stored checkpoint, oldest first; `epoch` is the one the layers are for. */
  checkpoints: z.array(z.number().int()),
  epoch: z.number().int(),
  layers: z.array(ActivationLayerView),
  /** Test images to pick from (indices 0..n-1); null where only loading the files tells (idx). */
  testImages: z.number().int().nullable(),
  classes: z.number().int(),
  /** Most channels one activations answer returns, and the largest map side it returns. */
  limits: z.object({ maxChannels: z.number().int(), maxSide: z.number().int() }),
});

export const ActivationQuery = z
  .object({
    layer: z.string().min(1),
    image: urlInteger(0),
    /** Default: the newest checkpoint. */
    epoch: urlInteger(0).optional(),
    /** First channel to return and how many (capped at ACTIVATION_LIMITS.maxChannels). */
    firstChannel: urlInteger(0).default(0),
    channels: urlInteger(1).optional(),
  })
  .strict();

export const ActivationLayersQuery = z.object({ epoch: urlInteger(0).optional() }).strict();

/** An 8-bit image (or stack of maps) as base64 bytes; see `layout` for the order. */
const Bytes = z.string().describe('base64 of uint8 values');

export const ActivationMapsResponse = z.object({
  experimentId: z.uuid(),
  epoch: z.number().int(),
  layer: ActivationLayerView,
  image: z.object({
    index: z.number().int(),
    label: z.number().int(),
    /** argmax of the network's (main) output for this image. */
    predicted: z.number().int(),
    /** Softmax probabilities of the main output, one per class. */
    probabilities: z.array(z.number()),
    /** The test image as the network saw it before normalisation: HWC bytes. */
    height: z.number().int(),
    width: z.number().int(),
    channels: z.number().int(),
    pixels: Bytes,
  }),
  maps: z.object({
    /** The layer's full channel count; `first`..`first + count - 1` are returned. */
    totalChannels: z.number().int(),
    first: z.number().int(),
    count: z.number().int(),
    /** Size of each returned map; smaller than the layer's when it was subsampled (stride). */
    height: z.number().int(),
    width: z.number().int(),
    stride: z.number().int(),
    normalization: z.literal('per-channel-min-max'),
    /** Per returned channel, the raw activation range that 0 and 255 stand for. */
    min: z.array(z.number()),
    max: z.array(z.number()),
    /** count x height x width bytes, channel after channel, each map row-major. */
    layout: z.literal('channel-row-major'),
    data: Bytes,
  }),
});

/** Caps on one answer: 64 maps of at most 64x64 are 256 KiB before base64. */
export const ACTIVATION_LIMITS = { maxChannels: 64, maxSide: 64 } as const;

export type ActivationLayer = z.infer<typeof ActivationLayerView>;
export type ActivationLayersView = z.infer<typeof ActivationLayersResponse>;
export type ActivationMapsView = z.infer<typeof ActivationMapsResponse>;
