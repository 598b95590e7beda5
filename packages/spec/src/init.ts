import { z } from 'zod';

/**
 * Where an experiment's starting weights may come from instead of He initialisation: a checkpoint of
 * another experiment (VGG's deeper nets started from the trained shallow one; transfer learning),
 * chosen by epoch, the one with the lowest validation error (`best`) or the newest (`last`).
 */
export const InitSource = z.object({
  experiment: z.uuid(),
  epoch: z.union([z.number().int().positive(), z.enum(['best', 'last'])]).default('last'),
});
export type InitSource = z.infer<typeof InitSource>;

/**
 * Another point of the same grid, named by axis values (`{ "architecture.depth": 11 }`): the
 * point whose values equal this one's with these changed (axes under `init` aside). The grid
 * stores it as an ordinary experiment source and queues the dependant once that one finished
 * (VGG: net A first, then B-E initialised from it). Only meaningful inside a grid.
 */
export const InitGridPoint = z.object({
  point: z.record(z.string(), z.unknown()).refine((p) => Object.keys(p).length > 0, 'name at least one axis value'),
  epoch: InitSource.shape.epoch,
});
export type InitGridPoint = z.infer<typeof InitGridPoint>;

/**
 * A TensorFlow.js LayersModel directory (model.json and its weight files) under the dataset roots
 * (DATASET_ROOTS): a network trained elsewhere, or one exported by this service (model.json).
 */
export const InitModelDir = z.object({ modelDir: z.string().min(1) });

/**
 * Warm start. Weights are matched by name (the zoo names every layer) and shape; `load` limits
 * them to the listed layers. `resetHead` keeps the output layers' fresh initialisation (another
 * task, another class count). `freeze` stops training for every layer but the output layers
 * (`all-but-head`) or for the layers up to and including the one named. What was loaded, skipped
 * and frozen is stored on the experiment.
 */
export const InitSpec = z
  .object({
    from: z.union([InitSource.strict(), InitModelDir.strict(), InitGridPoint.strict()]),
    load: z.union([z.literal('matching'), z.array(z.string().min(1)).min(1)]).default('matching'),
    freeze: z.string().min(1).default('none'),
    resetHead: z.boolean().default(false),
  })
  .strict();
export type InitSpec = z.infer<typeof InitSpec>;

/** What a warm start did, as the trainer reports it and the experiment stores it. */
export const InitReport = z.object({
  source: z.union([z.object({ experiment: z.string(), epoch: z.number().int() }), z.object({ modelDir: z.string() })]),
  loaded: z.array(z.string()),
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
  frozen: z.array(z.string()),
});
export type InitReport = z.infer<typeof InitReport>;
