// Max over contiguous axes, natively (NaN-propagating like tfjs).
import { Max } from '@tensorflow/tfjs-core';
import { ReduceOp, reduceKernelConfig } from './reduce-kernel';

export const maxConfig = reduceKernelConfig(Max, ReduceOp.max);
