// Multiply with numpy broadcasting, natively (float32; other dtypes use the cpu kernel).
import { Multiply } from '@tensorflow/tfjs-core';
import { BinaryOp, binaryKernelConfig } from './binary-kernel';

export const multiplyConfig = binaryKernelConfig(Multiply, BinaryOp.mul);
