/** Packed (bit-level) inference of trained binary and ternary networks: packing, file format, execution plan, engines, classification. */
export * from './classify';
export * from './compare';
export * from './engine';
export * from './fold';
export * from './format';
export * from './gains';
export * from './model';
export * from './open';
export * from './pack';
export * from './plan';
export * from './sizes';
export * from './validate';
export { referenceEngine, runReference } from './reference';
export { nativeEngine, loadNative } from './native';
export { wasmEngine, WasmCore } from './wasm-engine';
