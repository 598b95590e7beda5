// Minimum with numpy broadcasting, natively (float32; other dtypes use the cpu kernel).
import { Minimum } from '@tensorflow/tfjs-core';
import { BinaryOp, binaryKernelConfig } from './binary-kernel';

export const minimumConfig = binaryKernelConfig(Minimum, BinaryOp.min);
