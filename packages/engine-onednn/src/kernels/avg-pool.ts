// AvgPool, natively (padding excluded from the average, as in tfjs).
import { AvgPool } from '@tensorflow/tfjs-core';
import { poolKernelConfig } from './pool-kernel';

export const avgPoolConfig = poolKernelConfig(AvgPool, false);
