// RealDiv with numpy broadcasting, natively (float32; other dtypes use the cpu kernel).
import { RealDiv } from '@tensorflow/tfjs-core';
import { BinaryOp, binaryKernelConfig } from './binary-kernel';

export const realDivConfig = binaryKernelConfig(RealDiv, BinaryOp.div);
