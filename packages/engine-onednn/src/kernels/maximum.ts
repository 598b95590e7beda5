// Maximum with numpy broadcasting, natively (float32; other dtypes use the cpu kernel).
import { Maximum } from '@tensorflow/tfjs-core';
import { BinaryOp, binaryKernelConfig } from './binary-kernel';

export const maximumConfig = binaryKernelConfig(Maximum, BinaryOp.max);
