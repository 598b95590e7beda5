// SGD with momentum and weight decay as one in-place native update per variable on `onednn`
// (PyTorch's rule), and the same rule in tf ops on any other backend.
//   g' = grad + weightDecay * w;  v = momentum * v + g';  w -= lr * (nesterov ? g' + momentum * v : v)
import {
  add,
  backend as currentBackend,
  getBackend,
  mul,
  sub,
  type Tensor,
  tensor,
  tidy,
  type Variable,
} from '@tensorflow/tfjs-core';
import { OnednnBackend } from './backend';
import { BACKEND_NAME } from './kernels/kernel-utils';

export type SgdMomentumOptions = {
  lr: number;
  momentum: number;
  weightDecay: number;
  nesterov?: boolean;
};

export function sgdMomentumUpdate(
  variable: Variable,
  grad: Tensor,
  velocity: Variable,
  options: SgdMomentumOptions,
): void {
  const { lr, momentum, weightDecay, nesterov = false } = options;
  if (
    !variable.shape.every((d, i) => d === grad.shape[i] && d === velocity.shape[i]) ||
    variable.rank !== grad.rank ||
    variable.rank !== velocity.rank
  ) {
    throw new Error(
      `sgdMomentumUpdate: shapes differ: variable ${variable.shape.join(',')}, grad ${grad.shape.join(',')}, ` +
        `velocity ${velocity.shape.join(',')}`,
    );
  }
  if (getBackend() === BACKEND_NAME && nativeUpdate(variable, grad, velocity, options)) return;
  tidy(() => {
    const g = weightDecay !== 0 ? add(grad, mul(variable, weightDecay)) : grad;
    const v = add(mul(velocity, momentum), g);
    velocity.assign(v);
    const stepDir = nesterov ? add(g, mul(v, momentum)) : v;
    variable.assign(sub(variable, mul(stepDir, lr)));
  });
}

function nativeUpdate(
  variable: Variable,
  grad: Tensor,
  velocity: Variable,
  { lr, momentum, weightDecay, nesterov = false }: SgdMomentumOptions,
): boolean {
  const b = currentBackend();
  if (!(b instanceof OnednnBackend)) return false;
  const all = [variable, grad, velocity];
  if (!all.every((t) => t.dtype === 'float32' && b.data.has(t.dataId))) return false;
  const g = b.values(grad.dataId);
  if (b.canMutate(variable.dataId) && b.canMutate(velocity.dataId)) {
    b.addon.sgdMomentum(b.values(variable.dataId), g, b.values(velocity.dataId), lr, momentum, weightDecay, nesterov);
    b.markMutated(variable.dataId);
    return true;
  }
  // First update (buffers made by initializers or shared): copy into buffers this backend owns,
  // update those, and swap them in; later updates then run in place.
  const w = b.allocFloat32(variable.size);
  w.set(b.values(variable.dataId));
  const v = b.allocFloat32(velocity.size);
  v.set(b.values(velocity.dataId));
  b.addon.sgdMomentum(w, g, v, lr, momentum, weightDecay, nesterov);
  for (const [target, values] of [
    [variable, w],
    [velocity, v],
  ] as const) {
    const t = tensor(values, target.shape, 'float32');
    target.assign(t);
    t.dispose();
  }
  return true;
}
