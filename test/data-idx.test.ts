import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { gunzipFile, parseIdx, readIdxGz } from '../lib/data/idx';
import { idxBytes, randomBytes, sha256, tempDir } from './data-fixtures';

const IMAGES = { magic: 2051, dims: [3, 4, 5] };
const LABELS = { magic: 2049, dims: [6] };

describe('data: IDX parser', () => {
  it('returns the dimensions and the exact values after the header', () => {
    const values = randomBytes(60, 256, 1);
    const parsed = parseIdx(idxBytes([3, 4, 5], values), IMAGES, 'x.idx');
    assert.deepEqual(parsed.dims, [3, 4, 5]);
    assert.deepEqual(Array.from(parsed.values), Array.from(values));
  });

  it('reads a gzipped file and verifies the SHA-256 of its content', () => {
    const raw = idxBytes([6], Uint8Array.from([0, 1, 2, 9, 8, 7]));
    const path = join(tempDir(), 'labels.gz');
    writeFileSync(path, gzipSync(raw));
    const parsed = readIdxGz(path, { ...LABELS, contentSha256: sha256(raw) });
    assert.deepEqual(Array.from(parsed.values), [0, 1, 2, 9, 8, 7]);
  });

  it('rejects a content checksum mismatch, naming the file and both hashes', () => {
    const raw = idxBytes([6], new Uint8Array(6));
    const path = join(tempDir(), 'labels.gz');
    writeFileSync(path, gzipSync(raw));
    const wrong = '0'.repeat(64);
    assert.throws(
      () => readIdxGz(path, { ...LABELS, contentSha256: wrong }),
      { message: `${path}: checksum mismatch: decompressed content has SHA-256 ${sha256(raw)}, expected ${wrong}` },
    );
  });

  it('rejects a wrong magic number (a label file where images are expected)', () => {
    const labelsFile = idxBytes([6], new Uint8Array(6));
    assert.throws(() => parseIdx(labelsFile, IMAGES, 'train-images'), {
      message: 'train-images: not the expected IDX file: magic number 2049 (0x00000801), expected 2051 (unsigned bytes, 3 dimensions)',
    });
  });

  it('rejects garbage that is not IDX at all', () => {
    const html = Buffer.from('<html><body>Moved</body></html>');
    assert.throws(() => parseIdx(html, LABELS, 'page'), /page: not the expected IDX file: magic number 1013478509 \(0x3c68746d\), expected 2049 \(unsigned bytes, 1 dimension\)/);
  });

  it('rejects dimensions other than the expected ones', () => {
    assert.throws(() => parseIdx(idxBytes([3, 5, 4], new Uint8Array(60)), IMAGES, 'img'), {
      message: 'img: IDX dimensions [3, 5, 4], expected [3, 4, 5]',
    });
  });

  it('rejects truncated data, saying how many bytes were expected', () => {
    const full = idxBytes([3, 4, 5], new Uint8Array(60));
    assert.throws(() => parseIdx(full.subarray(0, 50), IMAGES, 'img'), {
      message: 'img: truncated IDX file: 50 bytes, expected 76 (16-byte header + 3×4×5 values)',
    });
    assert.throws(() => parseIdx(full.subarray(0, 10), IMAGES, 'img'), {
      message: 'img: truncated IDX header: 10 bytes, expected 16',
    });
    assert.throws(() => parseIdx(full.subarray(0, 2), IMAGES, 'img'), {
      message: 'img: truncated IDX file: 2 bytes, expected 76',
    });
  });

  it('rejects trailing bytes after the declared values', () => {
    const long = Buffer.concat([idxBytes([6], new Uint8Array(6)), Buffer.from([1])]);
    assert.throws(() => parseIdx(long, LABELS, 'lab'), {
      message: 'lab: IDX file longer than its header says: 15 bytes, expected 14 (8-byte header + 6 values)',
    });
  });

  it('rejects a truncated gzip file, naming it', () => {
    const gz = gzipSync(idxBytes([3, 4, 5], randomBytes(60, 256, 2)));
    const path = join(tempDir(), 'cut.gz');
    writeFileSync(path, gz.subarray(0, gz.length - 10));
    assert.throws(() => gunzipFile(path), {
      message: `${path}: cannot decompress (unexpected end of file): the file is truncated or not gzip`,
    });
  });
});
