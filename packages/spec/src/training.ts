import { z } from 'zod';

export const TrainingSpec = z
  .object({
    epochs: z.number().int().positive().max(10_000).default(3),
    batchSize: z.number().int().positive().max(4096).default(128),
    learningRate: z.number().positive().max(10).default(0.1),
    momentum: z.number().min(0).max(1).default(0.9),
    weightDecay: z.number().min(0).max(1).default(1e-4),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  })
  .strict();
export type TrainingSpec = z.infer<typeof TrainingSpec>;
