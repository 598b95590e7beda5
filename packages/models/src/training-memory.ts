import type { ArchitectureSpec } from '@resnet-lab/spec';
import { describeGraph } from './describe-model';
import { buildGraph } from './families';
import type { NetworkGraph } from './graph';

const FLOAT32_BYTES = 4;

export interface TrainingMemory {
  /** Every weight, batch-norm statistics included. */
  weightsBytes: number;
  /** One gradient and one momentum buffer per trainable weight (SGD with momentum). */
  optimizerBytes: number;
  /** Every layer's output for the whole batch, which the backward pass needs. */
  activationsBytes: number;
  totalBytes: number;
}

/**
 * A lower bound of the memory one training step of `graph` at `batchSize` needs: float32 weights,
 * their gradients and momentum, and the outputs of every layer kept for the backward pass. The
 * real peak is higher (the gradients of those outputs, the runtime, the dataset), so a spec whose
 * lower bound already exceeds a worker's memory can never train there, while one below it may
 * still not fit: the check refuses only the certain failures.
 */
export function graphTrainingMemory(graph: NetworkGraph, batchSize: number): TrainingMemory {
  const { params, trainableParams } = describeGraph(graph);
  let valuesPerImage = 0;
  for (const node of graph.nodes) valuesPerImage += node.outputShape.reduce((a, b) => a * b, 1);
  const weightsBytes = params * FLOAT32_BYTES;
  const optimizerBytes = 2 * trainableParams * FLOAT32_BYTES;
  const activationsBytes = valuesPerImage * batchSize * FLOAT32_BYTES;
  return {
    weightsBytes,
    optimizerBytes,
    activationsBytes,
    totalBytes: weightsBytes + optimizerBytes + activationsBytes,
  };
}

/** graphTrainingMemory of the network `buildModel(arch)` builds, without tensors. */
export function trainingMemory(arch: ArchitectureSpec, batchSize: number): TrainingMemory {
  return graphTrainingMemory(buildGraph(arch), batchSize);
}
