/**
 * The packed model file: one binary file that starts with a small JSON header.
 *
 *   bytes 0–7   "BNNPACK\0"
 *   bytes 8–11  header length L (uint32, little-endian)
 *   bytes 12…   the JSON header (UTF-8): format, version, config, and per layer its sizes and, for
 *               each array, { dtype, offset, length } with offsets relative to the data section.
 *               Version 1: binary networks; version 2 adds ternary ones (and reads version 1).
 *   then        the data section, starting at the next multiple of 8; every array 8-byte aligned,
 *               little-endian (Float32 / Int32 / Uint32 / Uint8)
 *
 * Written atomically (temporary file + rename).
 */
import * as fs from 'node:fs';
import { NetworkConfig, validateConfig } from '../model/config';
import { writeFileAtomic } from '../util/atomic-write';
import { PACKED_FORMAT, PACKED_VERSION, PACKED_VERSIONS_READ, PackedLayer, PackedModel } from './model';
import { validatePackedModel } from './validate';
import { sha256Hex } from '../util/sha256';

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
  /** SHA-256 of the whole file as written with this value as 64 zeros (absent in files written before it was recorded). */
  fileSha256?: string;
  layers: Record<string, unknown>[];
}


const UNSET_CHECKSUM = '0'.repeat(64);

/** The byte offset of the checksum's 64 hex digits `value` in the file's header, or undefined unless they stand there exactly once. */
function checksumAt(file: Uint8Array, jsonLength: number, value: string): number | undefined {
  const header = Buffer.from(file.buffer, file.byteOffset + 12, jsonLength);
  const field = Buffer.from(`"fileSha256":"${value}"`);
  const at = header.indexOf(field);
  if (at < 0 || header.indexOf(field, at + 1) >= 0) return undefined;
  return 12 + at + field.length - 65;
}

/** True when the file's bytes are those its checksum was computed over. */
function checksumHolds(file: Uint8Array, jsonLength: number, value: string): boolean {
  const at = /^[0-9a-f]{64}$/.test(value) ? checksumAt(file, jsonLength, value) : undefined;
  if (at === undefined) return false;
  const copy = file.slice();
  copy.set(new TextEncoder().encode(UNSET_CHECKSUM), at);
  return sha256Hex(copy) === value;
}

/**
 * What is wrong with an array's place in the data section, or undefined: the kernels trust these
 * numbers. Arrays lie one after another in header order, so each must start at `expectedOffset`.
 */
function arraySpecProblem(spec: unknown, dataBytes: number, expectedOffset: number): string | undefined {
  if (typeof spec !== 'object' || spec === null) return 'it has no dtype, offset and length';
  const { dtype, offset, length } = spec as Partial<ArraySpec>;
  if (typeof dtype !== 'string' || !Object.hasOwn(CONSTRUCTORS, dtype)) return `dtype ${JSON.stringify(dtype)} is none of ${Object.keys(CONSTRUCTORS).join(', ')}`;
  if (offset !== expectedOffset) return `offset ${JSON.stringify(offset)} is not ${expectedOffset}, where it follows the array before it`;
  if (!Number.isSafeInteger(length) || length! < 0) return `length ${JSON.stringify(length)} is not a whole number`;
  if (offset + length! * CONSTRUCTORS[dtype].BYTES_PER_ELEMENT > dataBytes) return 'it lies outside the data';
  return undefined;
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
  const data = new Uint8Array(offset);
  let at = 0;
  for (const a of arrays) {
    data.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at = align8(at + a.byteLength);
  }
  const header: Header = {
    format: PACKED_FORMAT, version: PACKED_VERSION, config: model.config, source, dataBytes: offset, fileSha256: UNSET_CHECKSUM, layers,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = align8(12 + json.length);
  const out = new Uint8Array(dataStart + offset);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(data, dataStart);
  const checksum = checksumAt(out, json.length, UNSET_CHECKSUM);
  if (checksum === undefined) throw new Error('packed model: the header holds its checksum field more than once'); // only a source naming it could
  out.set(new TextEncoder().encode(sha256Hex(out)), checksum);
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
  if (header.format !== PACKED_FORMAT || !PACKED_VERSIONS_READ.includes(header.version)) {
    throw new Error(
      `${what} is format ${header.format} v${header.version}; this version reads ${PACKED_FORMAT} v${PACKED_VERSIONS_READ.join(' and v')} ` +
        '(a newer file needs a newer bnn-geometry; otherwise pack it again with npm run pack).',
    );
  }
  const dataStart = align8(12 + jsonLength);
  if (!Number.isSafeInteger(header.dataBytes) || header.dataBytes < 0) throw new Error(`${what} is corrupt: dataBytes = ${JSON.stringify(header.dataBytes)}.`);
  if (dataStart + header.dataBytes > bytes.length) {
    throw new Error(`${what} is truncated: ${bytes.length} bytes, the header needs ${dataStart + header.dataBytes}.`);
  }
  if (header.fileSha256 !== undefined && !checksumHolds(bytes.subarray(0, dataStart + header.dataBytes), jsonLength, String(header.fileSha256))) {
    throw new Error(`${what} is corrupt: its bytes differ from the checksum in its header (a changed byte). Pack it again from its checkpoint.`);
  }
  // A copy aligned for the typed arrays (the file's buffer may start anywhere), made by the Uint8Array
  // constructor: a Node Buffer's own slice() would be a view into its shared pool.
  const data = new Uint8Array(bytes.subarray(dataStart, dataStart + header.dataBytes));
  if (!Array.isArray(header.layers)) throw new Error(`${what} is corrupt: its header has no list of layers.`);
  let next = 0; // arrays lie one after another, in header order, as serializePacked lays them out
  const layers = header.layers.map((entry, i) => {
    if (typeof entry !== 'object' || entry === null || typeof entry.arrays !== 'object' || entry.arrays === null) {
      throw new Error(`${what} is corrupt: layer ${i} of its header has no arrays.`);
    }
    const { arrays, ...rest } = entry as { arrays: Record<string, unknown>; name?: string };
    const layer: Record<string, unknown> = { ...rest };
    for (const [key, spec] of Object.entries(arrays)) {
      const problem = arraySpecProblem(spec, data.length, next);
      if (problem) throw new Error(`${what} is corrupt: array ${key} of layer ${String(rest.name)}: ${problem}.`);
      const { dtype, offset, length } = spec as ArraySpec;
      layer[key] = new CONSTRUCTORS[dtype](data.buffer, offset, length);
      next = align8(offset + length * CONSTRUCTORS[dtype].BYTES_PER_ELEMENT);
    }
    return layer as unknown as PackedLayer;
  });
  if (next !== data.length) throw new Error(`${what} is corrupt: its arrays end at byte ${next} of ${data.length} of data.`);
  let model: PackedModel;
  try {
    if (header.version === 1 && header.config?.levels !== 2) throw new Error('a version 1 file holds binary networks only');
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
  return { ...deserializePacked(bytes, file), bytes: bytes.length };
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
