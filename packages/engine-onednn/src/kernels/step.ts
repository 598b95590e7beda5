// Step, natively: tfjs' ReLU gradient is dy * step(x).
import { type KernelConfig, Step, type StepAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import { BACKEND_NAME, backendOf, fallback, isFloat32, output, type KernelArgs } from './kernel-utils';

export function step(args: KernelArgs): TensorInfo | TensorInfo[] {
  const { x } = args.inputs as { x: TensorInfo };
  if (!isFloat32(x)) return fallback(Step, args);
  const { alpha } = args.attrs as unknown as StepAttrs;
  const backend = backendOf(args);
  const out = output(backend, x.shape);
  backend.addon.step(backend.values(x.dataId), out.values, alpha ?? 0);
  return out.info;
}

export const stepConfig: KernelConfig = {
  kernelName: Step,
  backendName: BACKEND_NAME,
  kernelFunc: step,
};
