import { z } from 'zod';

/** Queue names and payloads: the single catalogue that producer (API) and consumer (worker) share. */
export const TRAIN_QUEUE = 'train';

/** The experiment row is the source of truth; the job only points at it. */
export const TrainJobPayload = z.object({ experimentId: z.uuid() }).strict();
export type TrainJobPayload = z.infer<typeof TrainJobPayload>;
