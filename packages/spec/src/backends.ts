/**
 * The compute backends a trainer can run on, fastest first (the order of docs/engine.md). Every
 * experiment records the one it used; the worker's TRAINER_BACKEND and the dry-run estimate name
 * them too.
 */
export const BACKEND_NAMES = ['tfjs-node-gpu', 'tfjs-node', 'onednn', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
