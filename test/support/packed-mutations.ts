/** Seeded mutations of packed model files: a header value replaced, or a body bit flipped. */
import type { Rng } from '../../lib/stats/random';

/** The header (parsed JSON) and the data section of a packed file. */
export function splitPacked(bytes: Uint8Array): { header: Record<string, unknown>; body: Uint8Array } {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  return {
    header: JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length))) as Record<string, unknown>,
    body: bytes.subarray(Math.ceil((12 + length) / 8) * 8),
  };
}

/** A packed file from a header and a data section, laid out as serializePacked does. */
export function joinPacked(header: unknown, body: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = Math.ceil((12 + json.length) / 8) * 8;
  const out = new Uint8Array(start + body.length);
  out.set(new TextEncoder().encode('BNNPACK\0'));
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(body, start);
  return out;
}

/** Every number, string, boolean or null in the header, with the path to it. */
function leaves(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  return typeof v === 'object' && v !== null ? Object.entries(v).flatMap(([k, x]) => leaves(x, [...at, Array.isArray(v) ? Number(k) : k])) : [at];
}

const REPLACEMENTS: unknown[] = [0, -1, 1.5, 1e9, null, [], 'uint8', 'float32', true, 2 ** 32];

export interface Mutation {
  /** What changed, e.g. "layers.1.arrays.flip.offset = 0" or "body byte 312". */
  change: string;
  /** The mutated file, its checksum kept (so that it no longer holds). */
  bytes: Uint8Array;
  /** The mutated file without its checksum, as files written before it: only the structural checks apply. */
  withoutChecksum: Uint8Array;
  bodyByte: boolean;
}

/** One mutation of `bytes`: a body bit when `bodyByte`, else one header value replaced by a different one. */
export function mutatePacked(bytes: Uint8Array, rng: Rng, bodyByte: boolean): Mutation {
  const { header, body } = splitPacked(bytes);
  const copy = body.slice();
  let change: string;
  if (bodyByte) {
    const at = rng.int(copy.length);
    copy[at] ^= 1 << rng.int(8);
    change = `body byte ${at}`;
  } else {
    const paths = leaves(header);
    const target = paths[rng.int(paths.length)];
    let parent = header as Record<string | number, unknown>;
    for (const key of target.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
    const key = target[target.length - 1];
    const others = REPLACEMENTS.filter((r) => JSON.stringify(r) !== JSON.stringify(parent[key]));
    const value = others[rng.int(others.length)];
    change = `${target.join('.')} = ${JSON.stringify(value)}`;
    parent[key] = value;
  }
  const mutated = joinPacked(header, copy);
  delete header.fileSha256;
  return { change, bytes: mutated, withoutChecksum: joinPacked(header, copy), bodyByte };
}
