import type { DatasetAccess } from '@resnet-lab/spec';
import type { ChannelMaps, ChannelSelection } from '@resnet-lab/trainer';

/** The messages between the activations service and its compute thread (activation-thread.ts). */
export interface ActivationJob {
  spec: unknown;
  /** The API's DATASET_ROOTS and size limit: the thread reads the test images under them only. */
  datasetAccess: DatasetAccess;
  /** Bytes only when the thread asked for them (it answered `need-checkpoint`). */
  checkpoint: { sha256: string; bytes?: Uint8Array };
  layer: string;
  image: number;
  selection: ChannelSelection;
}

export interface ActivationJobResult {
  image: { label: number; pixels: Uint8Array; height: number; width: number; channels: number };
  testImages: number;
  maps: ChannelMaps;
  logits: number[];
  probabilities: number[];
  predicted: number;
}

export type ActivationJobError =
  | { kind: 'need-checkpoint' }
  | { kind: 'bad-input'; field: 'layer' | 'image'; message: string }
  | { kind: 'failed'; message: string };

/** Thrown inside the thread; its `reply` is what travels back. */
export class ActivationJobFailure extends Error {
  constructor(readonly reply: ActivationJobError) {
    super('message' in reply ? reply.message : reply.kind);
  }
}
