// SquaredDifference with numpy broadcasting, natively (float32; other dtypes use the cpu kernel).
import { SquaredDifference } from '@tensorflow/tfjs-core';
import { BinaryOp, binaryKernelConfig } from './binary-kernel';

export const squaredDifferenceConfig = binaryKernelConfig(SquaredDifference, BinaryOp.squaredDifference);
