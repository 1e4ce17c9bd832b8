/** High-dimensional geometry of binarization and ternarization: one import for notebooks. */
export * from './vectors';
export * from './sampling';
export * from './rotation';
export * from './theory-binary';
export * from './theory-ternary';
export * from './theory-random-pairs';
export * from './theory-marginal';
export * from './experiments';
export * from './figure-data';
