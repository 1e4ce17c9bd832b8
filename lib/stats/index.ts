/** Statistics used by the figures and analyses: one import for notebooks. */
export * from './normal';
export * from './summary';
export * from './grid';
export * from './kde';
export * from './regression';
export * from './histogram';
export * from './binned-kde';
export * from './random';
export * from './kernel-smoothing';
export * from './standard-error';
