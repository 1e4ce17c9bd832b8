/** Per-layer analysis of a trained network (the figures of gen_plots.ipynb): one import for notebooks. */
export * from './analyze';
export * from './angles';
export * from './batch-norm';
export * from './dot-products';
export * from './geometry';
export { leadingImages } from './images';
export * from './layer-summary';
export * from './pair-summary';
export * from './quantization-impact';
export * from './variant';
export * from './weight-distributions';
