/**
 * The packed model file: one binary file that starts with a small JSON header.
 *
 *   bytes 0–7   "BNNPACK\0"
 *   bytes 8–11  header length L (uint32, little-endian)
 *   bytes 12…   the JSON header (UTF-8): format, version, config, and per layer its sizes and, for
 *               each array, { dtype, offset, length } with offsets relative to the data section
 *   then        the data section, starting at the next multiple of 8; every array 8-byte aligned,
 *               little-endian (Float32 / Int32 / Uint32 / Uint8)
 *
 * Written atomically (temporary file + rename).
 */
import * as fs from 'node:fs';
import { NetworkConfig, validateConfig } from '../model/config';
import { writeFileAtomic } from '../util/atomic-write';
import { PACKED_FORMAT, PACKED_VERSION, PackedLayer, PackedModel } from './model';
import { validatePackedModel } from './validate';

const MAGIC = 'BNNPACK\0';

type TypedArray = Float32Array | Int32Array | Uint32Array | Uint8Array;
type DType = 'float32' | 'int32' | 'uint32' | 'uint8';

const CONSTRUCTORS = { float32: Float32Array, int32: Int32Array, uint32: Uint32Array, uint8: Uint8Array } as const;

function dtypeOf(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint32Array) return 'uint32';
  return 'uint8';
}

interface ArraySpec {
  dtype: DType;
  offset: number;
  length: number;
}

interface Header {
  format: string;
  version: number;
  config: NetworkConfig;
  /** Where the model came from (e.g. the checkpoint folder and epoch); informational. */
  source?: Record<string, unknown>;
  dataBytes: number;
  layers: Record<string, unknown>[];
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

/** The file's bytes. */
export function serializePacked(model: PackedModel, source?: Record<string, unknown>): Uint8Array {
  const arrays: TypedArray[] = [];
  let offset = 0;
  const layers = model.layers.map((layer) => {
    const entry: Record<string, unknown> = {};
    const specs: Record<string, ArraySpec> = {};
    for (const [key, value] of Object.entries(layer)) {
      if (ArrayBuffer.isView(value)) {
        const a = value as TypedArray;
        specs[key] = { dtype: dtypeOf(a), offset, length: a.length };
        arrays.push(a);
        offset = align8(offset + a.byteLength);
      } else {
        entry[key] = value;
      }
    }
    return { ...entry, arrays: specs };
  });
  const header: Header = { format: PACKED_FORMAT, version: PACKED_VERSION, config: model.config, source, dataBytes: offset, layers };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = align8(12 + json.length);
  const out = new Uint8Array(dataStart + offset);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  let at = dataStart;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at = dataStart + align8(at - dataStart + a.byteLength);
  }
  return out;
}

/** Parses the file's bytes; throws naming the problem for anything that is not a packed model. */
export function deserializePacked(bytes: Uint8Array, what = 'packed model'): { model: PackedModel; source?: Record<string, unknown> } {
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw new Error(`${what} is not a packed model file (it does not start with BNNPACK); make one with npm run pack.`);
  }
  const jsonLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  if (12 + jsonLength > bytes.length) throw new Error(`${what} is truncated: its header needs ${12 + jsonLength} bytes, the file has ${bytes.length}.`);
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + jsonLength))) as Header;
  } catch (err) {
    throw new Error(`${what} has a corrupt header: ${(err as Error).message}.`, { cause: err });
  }
  if (header.format !== PACKED_FORMAT || header.version !== PACKED_VERSION) {
    throw new Error(`${what} is format ${header.format} v${header.version}; this version reads ${PACKED_FORMAT} v${PACKED_VERSION}.`);
  }
  const dataStart = align8(12 + jsonLength);
  if (dataStart + header.dataBytes > bytes.length) {
    throw new Error(`${what} is truncated: ${bytes.length} bytes, the header needs ${dataStart + header.dataBytes}.`);
  }
  // A copy aligned for the typed arrays (the file's buffer may start anywhere).
  const data = bytes.slice(dataStart, dataStart + header.dataBytes);
  const layers = header.layers.map((entry) => {
    const { arrays, ...rest } = entry as { arrays: Record<string, ArraySpec>; name?: string };
    const layer: Record<string, unknown> = { ...rest };
    for (const [key, spec] of Object.entries(arrays)) {
      const C = CONSTRUCTORS[spec.dtype];
      if (!C || spec.offset % 8 !== 0 || spec.offset + spec.length * C.BYTES_PER_ELEMENT > data.length) {
        throw new Error(`${what} is corrupt: array ${key} of layer ${String(rest.name)} lies outside the data.`);
      }
      layer[key] = new C(data.buffer, spec.offset, spec.length);
    }
    return layer as unknown as PackedLayer;
  });
  let model: PackedModel;
  try {
    model = validatePackedModel({ config: validateConfig(header.config), layers });
  } catch (err) {
    throw new Error(`${what} is corrupt: ${(err as Error).message}`, { cause: err });
  }
  return { model, source: header.source };
}

/** Writes the model to `file` atomically; returns its size in bytes. */
export function savePacked(file: string, model: PackedModel, source?: Record<string, unknown>): number {
  const bytes = serializePacked(model, source);
  writeFileAtomic(file, bytes);
  return bytes.length;
}

export function loadPacked(file: string): { model: PackedModel; source?: Record<string, unknown>; bytes: number } {
  if (!fs.existsSync(file)) throw new Error(`No packed model at ${file}; make one with npm run pack -- --checkpoint DIR --out ${file}.`);
  const bytes = fs.readFileSync(file);
  return { ...deserializePacked(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), file), bytes: bytes.length };
}

/**
 * Throws unless `file` may be written by savePacked: absent, or a regular file that is a packed model
 * (a rename would replace a symbolic link, not its target; a device or folder is never a model file).
 */
export function checkPackedTarget(file: string): void {
  const stat = fs.lstatSync(file, { throwIfNoEntry: false });
  if (stat === undefined) return;
  if (stat.isSymbolicLink()) throw new Error(`--out ${file} is a symbolic link: name the file itself or a new one.`);
  if (!stat.isFile()) throw new Error(`--out ${file} is not a regular file (a folder, device or socket): name a new file.`);
  const head = Buffer.alloc(MAGIC.length);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, head, 0, head.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (head.toString('latin1') !== MAGIC) {
    throw new Error(`--out ${file} holds a file that is not a packed model, which packing would replace: name a new file.`);
  }
}
