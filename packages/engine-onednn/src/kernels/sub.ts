// Sub with numpy broadcasting, natively (float32; other dtypes use the cpu kernel).
import { Sub } from '@tensorflow/tfjs-core';
import { BinaryOp, binaryKernelConfig } from './binary-kernel';

export const subConfig = binaryKernelConfig(Sub, BinaryOp.sub);
