/** Packed (bit-level) inference of trained binary networks: packing, file format, kernels, classification. */
export * from './classify';
export * from './compare';
export * from './engine';
export * from './fold';
export * from './format';
export * from './gains';
export * from './model';
export * from './pack';
export * from './sizes';
export * from './validate';
export { nativeEngine, loadNative } from './native';
export { wasmEngine, WasmCore } from './wasm-engine';
