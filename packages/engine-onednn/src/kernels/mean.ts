// Mean over contiguous axes, natively (accumulated in double like tfjs' JavaScript).
import { Mean } from '@tensorflow/tfjs-core';
import { ReduceOp, reduceKernelConfig } from './reduce-kernel';

export const meanConfig = reduceKernelConfig(Mean, ReduceOp.mean);
