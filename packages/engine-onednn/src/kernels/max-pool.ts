// MaxPool, natively.
import { MaxPool } from '@tensorflow/tfjs-core';
import { poolKernelConfig } from './pool-kernel';

export const maxPoolConfig = poolKernelConfig(MaxPool, true);
