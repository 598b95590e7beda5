export * from './architecture';
export * from './dataset';
export * from './training';
export * from './experiment';
export * from './jobs';
export * from './progress';
export * from './api';
