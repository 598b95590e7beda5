// @resnet-lab/engine-onednn: a TensorFlow.js backend on oneDNN. Importing this module has no side
// effects; nothing loads or registers until registerOnednnBackend() is called.
export {
  registerOnednnBackend,
  isOnednnAvailable,
  onednnUnavailableReason,
  onednnInfo,
  ONEDNN_BACKEND_NAME,
  type RegisterOnednnResult,
  type RegisterOnednnOptions,
  type OnednnInfo,
} from './register-backend';
export { DISABLE_ENV } from './addon';
export { sgdMomentumUpdate, type SgdMomentumOptions } from './sgd-momentum-update';
export { softmaxCrossEntropy } from './softmax-cross-entropy';
export { batchNormalization, nativeBatchNormalizationClass } from './native-batch-normalization';
export { bf16Supported, convPrecision, setConvPrecision, type ConvPrecision } from './precision';
