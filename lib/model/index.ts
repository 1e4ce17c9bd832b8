/** The binary/ternary network: configuration, quantizers, forward pass, loss and evaluation. */
export * from './batch-norm';
export * from './batches';
export * from './config';
export * from './evaluate';
export * from './loss';
export * from './network';
export * from './quantize';
