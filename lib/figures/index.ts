/** Experiment and analysis results to Vega-Lite figures with their theory, and the numbers they reproduce: one import for notebooks. */
export * from './hd';
export * from './hd-numbers';
export * from './numbers';
export * from './layers';
export * from './layer-numbers';
export * from './packed';
