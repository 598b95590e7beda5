// Add with numpy broadcasting, natively (float32; other dtypes use the cpu kernel).
import { Add } from '@tensorflow/tfjs-core';
import { BinaryOp, binaryKernelConfig } from './binary-kernel';

export const addConfig = binaryKernelConfig(Add, BinaryOp.add);
