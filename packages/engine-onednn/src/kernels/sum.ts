// Sum over contiguous axes, natively (accumulated in double like tfjs' JavaScript).
import { Sum } from '@tensorflow/tfjs-core';
import { ReduceOp, reduceKernelConfig } from './reduce-kernel';

export const sumConfig = reduceKernelConfig(Sum, ReduceOp.sum);
