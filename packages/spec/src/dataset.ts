import { z } from 'zod';

/** Deterministic, seeded images whose class decides a simple visual pattern: learnable in seconds. */
export const SyntheticDataset = z
  .object({
    name: z.literal('synthetic'),
    trainSize: z.number().int().positive().max(100_000).default(256),
    testSize: z.number().int().positive().max(100_000).default(64),
    imageSize: z.number().int().min(4).max(256).default(8),
    channels: z.number().int().min(1).max(4).default(3),
    classes: z.number().int().min(2).max(1000).default(4),
  })
  .strict();

export const DatasetSpec = z.discriminatedUnion('name', [SyntheticDataset]);
export type DatasetSpec = z.infer<typeof DatasetSpec>;
