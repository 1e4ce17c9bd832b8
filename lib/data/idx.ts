/**
 * The IDX format of MNIST and Fashion-MNIST (yann.lecun.com/exdb/mnist, "FILE FORMATS"): a 4-byte
 * big-endian magic number — two zero bytes, a type code (0x08 = unsigned byte), the number of
 * dimensions — then one big-endian uint32 per dimension, then the values in row-major order.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { sha256Hex } from '../util/sha256';

/** IDX type code of unsigned bytes, the only type MNIST-style files use. */
const IDX_UBYTE = 0x08;

export interface IdxArray {
  dims: number[];
  /** The values, row-major; a view into the decompressed file. */
  values: Uint8Array;
}

/** What a file must contain: its magic number (2049 labels, 2051 images) and its dimensions. */
export interface IdxExpectation {
  magic: number;
  dims: readonly number[];
  /** SHA-256 (hex) of the whole decompressed file, when it is known. */
  contentSha256?: string;
}

/** Describes a magic number for messages, e.g. "2051 (unsigned bytes, 3 dimensions)". */
function describeMagic(magic: number): string {
  const type = (magic >>> 8) & 0xff;
  const typeName = type === IDX_UBYTE ? 'unsigned bytes' : `type 0x${type.toString(16).padStart(2, '0')}`;
  return `${magic} (${typeName}, ${magic & 0xff} dimension${(magic & 0xff) === 1 ? '' : 's'})`;
}

/**
 * Parses decompressed IDX bytes and checks them against `expected`: magic number, dimensions and
 * exact length. `source` names the file in error messages.
 */
export function parseIdx(data: Uint8Array, expected: IdxExpectation, source: string): IdxArray {
  const ndims = expected.dims.length;
  const headerBytes = 4 + 4 * ndims;
  const valueCount = expected.dims.reduce((a, b) => a * b, 1);
  const expectedBytes = headerBytes + valueCount;
  if (data.length < 4) {
    throw new Error(`${source}: truncated IDX file: ${data.length} bytes, expected ${expectedBytes}`);
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== expected.magic) {
    throw new Error(
      `${source}: not the expected IDX file: magic number ${magic} (0x${magic.toString(16).padStart(8, '0')}), ` +
        `expected ${describeMagic(expected.magic)}`,
    );
  }
  if (data.length < headerBytes) {
    throw new Error(`${source}: truncated IDX header: ${data.length} bytes, expected ${headerBytes}`);
  }
  const dims = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i, false));
  if (dims.some((d, i) => d !== expected.dims[i])) {
    throw new Error(`${source}: IDX dimensions [${dims.join(', ')}], expected [${expected.dims.join(', ')}]`);
  }
  if (data.length !== expectedBytes) {
    const what = data.length < expectedBytes ? 'truncated IDX file' : 'IDX file longer than its header says';
    throw new Error(
      `${source}: ${what}: ${data.length} bytes, expected ${expectedBytes} ` +
        `(${headerBytes}-byte header + ${expected.dims.join('×')} values)`,
    );
  }
  return { dims, values: data.subarray(headerBytes) };
}

/** Decompresses a whole gzip file; a truncated or non-gzip file gives an error naming it. */
export function gunzipFile(path: string): Uint8Array {
  const compressed = readFileSync(path);
  try {
    return gunzipSync(compressed);
  } catch (err) {
    throw new Error(`${path}: cannot decompress (${(err as Error).message}): the file is truncated or not gzip`, { cause: err });
  }
}

/**
 * Reads a gzipped IDX file, parses it (see parseIdx) and, when `expected.contentSha256` is given,
 * verifies the decompressed bytes against it.
 */
export function readIdxGz(path: string, expected: IdxExpectation): IdxArray {
  const data = gunzipFile(path);
  const parsed = parseIdx(data, expected, path);
  if (expected.contentSha256 !== undefined) {
    const actual = sha256Hex(data);
    if (actual !== expected.contentSha256) {
      throw new Error(
        `${path}: checksum mismatch: decompressed content has SHA-256 ${actual}, expected ${expected.contentSha256}`,
      );
    }
  }
  return parsed;
}
