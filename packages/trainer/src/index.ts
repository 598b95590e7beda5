/**
 * @resnet-lab/trainer: datasets, augmentation, SGD + schedules, the training loop, checkpoints and
 * backend selection. Runs without Redis or Postgres: the worker's child process and the CLI call
 * runTraining with a resolved experiment, an event callback and an abort signal.
 */
export { runTraining, setModelWeights } from './training.loop';
export { StepProfiler, STEP_PHASES } from './step.profiler';
export type { StepPhase } from './step.profiler';
export type { RunTrainingOptions, RunTrainingResult, TrainerLogger } from './training.loop';
export { TrainingError } from './training.errors';
export { selectBackend, BACKEND_CANDIDATES } from './backend.selector';
export type { BackendName, BackendSelection, BackendSelectorDeps } from './backend.selector';
export { decodeCheckpoint, encodeCheckpoint, sha256Hex, CHECKPOINT_FORMAT_VERSION } from './checkpoint.codec';
export type { CheckpointHeader, DecodedCheckpoint } from './checkpoint.codec';
export { loadDataset, loadRawDataset, mnistDataDir } from './dataset.loader';
export { DatasetReader } from './dataset.files';
export type { ImageSet, LoadedDataset } from './image-set.types';
export { LearningRateSchedule } from './lr.schedule';
export { SeededRng } from './seeded.rng';
export { checkpointToLayersModel } from './layers-model.exporter';
export { modelFromCheckpoint } from './checkpoint-model';
export { activationLayers } from './activation-layers';
export { ActivationProbe, LayerNotFoundError, normaliseChannels } from './activation-maps';
export type { ActivationResult, ChannelMaps, ChannelSelection } from './activation-maps';
export { loadProbeImages, probeImage } from './probe-images';
export type { ProbeImages } from './probe-images';
