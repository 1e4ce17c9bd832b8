import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CIFAR10_RECORD_BYTES, decodeCifarRecords } from '../lib/data/cifar10';
import { loadDatasetFromSpec } from '../lib/data/load';
import { pixelTable } from '../lib/data/pixels';
import { CIFAR10_SCALING, getDatasetSpec, type Cifar10DatasetSpec } from '../lib/data/datasets';
import { fetchDataset } from '../lib/data/resolve';
import { sha1, startServer, tempDir, tinyCifarDataset, TINY_CIFAR_RECORDS, type TestServer } from './data-fixtures';

const quiet = () => undefined;

/** The value the original computed for a pixel byte: b·2/255 − 1, stored as float32. */
const scaled = (b: number) => Math.fround((b * 2) / 255 - 1);

/** Expected NHWC image of record r of a batch: pixel (y, x, c) = byte 1 + c·1024 + y·32 + x. */
function expectedImage(batch: Uint8Array, r: number): number[] {
  const rec = r * CIFAR10_RECORD_BYTES;
  const out: number[] = [];
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 32; x++) {
      for (let c = 0; c < 3; c++) out.push(scaled(batch[rec + 1 + c * 1024 + y * 32 + x]));
    }
  }
  return out;
}

describe('data: CIFAR-10 binary batches', () => {
  let tiny: Awaited<ReturnType<typeof tinyCifarDataset>>;
  let server: TestServer;
  before(async () => {
    tiny = await tinyCifarDataset();
    server = await startServer({ '/cifar-10-binary.tar.gz': tiny.archive });
  });
  after(() => server.close());

  it('decodes a record from CHW planes to HWC floats in [−1, 1]', () => {
    const record = new Uint8Array(CIFAR10_RECORD_BYTES);
    record[0] = 7;
    record[1 + 0 * 1024 + 0] = 255; // red at (0, 0)
    record[1 + 1 * 1024 + 33] = 0; // green at (1, 1)
    record[1 + 2 * 1024 + 1023] = 51; // blue at (31, 31)
    record.fill(128, 1 + 1 * 1024 + 34, 1 + 2 * 1024); // rest of green
    const images = new Float32Array(2 * 3072).fill(9);
    const labels = new Int32Array(2);
    decodeCifarRecords(record, { first: 0, count: 1, outIndex: 1 }, pixelTable(CIFAR10_SCALING), images, labels, 'r');
    assert.deepEqual(Array.from(labels), [0, 7]);
    assert.equal(images[0], 9); // image 0 untouched
    const img = images.subarray(3072);
    assert.equal(img[0], 1); // (y0, x0, red) = 255 → 1
    assert.equal(img[1], -1); // (y0, x0, green) = 0 → −1
    assert.equal(img[(1 * 32 + 1) * 3 + 1], -1);
    assert.equal(img[(1 * 32 + 2) * 3 + 1], scaled(128));
    assert.equal(img[(31 * 32 + 31) * 3 + 2], scaled(51));
    assert.equal(scaled(51), Math.fround(-0.6));
  });

  it('rejects a label byte outside 0–9, naming the file and record', () => {
    const record = new Uint8Array(2 * CIFAR10_RECORD_BYTES);
    record[CIFAR10_RECORD_BYTES] = 10;
    assert.throws(
      () => decodeCifarRecords(record, { first: 0, count: 2, outIndex: 0 }, pixelTable(CIFAR10_SCALING), new Float32Array(6144), new Int32Array(2), 'b.bin'),
      { message: 'b.bin: record 1 has label 10, expected 0–9' },
    );
  });

  it('downloads the tar.gz, extracts the real layout, deletes the archive, and round-trips every value', async () => {
    const dir = tempDir();
    const data = await loadDatasetFromSpec(tiny.spec, { dir, mirrors: [server.url], onProgress: quiet });
    assert.deepEqual(readdirSync(dir), ['cifar-10-batches-bin']);
    assert.deepEqual(readdirSync(join(dir, 'cifar-10-batches-bin')).sort(), [
      'batches.meta.txt', 'data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin',
    ]);
    for (const [name, bytes] of Object.entries(tiny.batches)) {
      assert.deepEqual(readFileSync(join(dir, 'cifar-10-batches-bin', name)), Buffer.from(bytes));
    }
    // Pool of 20 training records: 17 train, the last 3 validation; 4 test.
    assert.equal(data.train.count, 17);
    assert.equal(data.validation.count, 3);
    assert.equal(data.test.count, TINY_CIFAR_RECORDS);
    assert.deepEqual(data.train.shape, [32, 32, 3]);
    const pool = tiny.spec.trainBatches.flatMap((name) =>
      Array.from({ length: TINY_CIFAR_RECORDS }, (_, r) => ({ batch: tiny.batches[name], r })),
    );
    const check = (images: Float32Array, labels: Int32Array, records: { batch: Uint8Array; r: number }[]) => {
      records.forEach(({ batch, r }, i) => {
        assert.equal(labels[i], batch[r * CIFAR10_RECORD_BYTES]);
        assert.deepEqual(Array.from(images.subarray(i * 3072, (i + 1) * 3072)), expectedImage(batch, r));
      });
    };
    check(data.train.images, data.train.labels, pool.slice(0, 17));
    check(data.validation.images, data.validation.labels, pool.slice(17));
    const test = tiny.batches['test_batch.bin'];
    check(data.test.images, data.test.labels, [0, 1, 2, 3].map((r) => ({ batch: test, r })));
    // Validation is a view of the same buffer as train, right after it.
    assert.equal(data.validation.images.buffer, data.train.images.buffer);
    assert.equal(data.validation.images.byteOffset, 17 * 3072 * 4);
    let min = Infinity;
    let max = -Infinity;
    for (const v of data.train.images) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assert.deepEqual([min, max], [-1, 1]);
    assert.deepEqual(
      data.sources.files.map((f) => [f.file, f.origin, f.url]),
      [
        ['cifar-10-binary.tar.gz', 'download', `${server.url}cifar-10-binary.tar.gz`],
        ['cifar-10-batches-bin', 'download', `${server.url}cifar-10-binary.tar.gz`],
      ],
    );
  });

  it('limit keeps the first images of each split, reading the validation run from the last batch', async () => {
    const dir = tempDir();
    const data = await loadDatasetFromSpec(tiny.spec, { dir, mirrors: [server.url], onProgress: quiet, limit: 2 });
    assert.deepEqual([data.train.count, data.validation.count, data.test.count], [2, 2, 2]);
    assert.equal(data.train.images.buffer.byteLength, 4 * 3072 * 4);
    const last = tiny.batches['data_batch_5.bin'];
    // Validation starts at pool record 17 = record 1 of batch 5.
    assert.deepEqual(Array.from(data.validation.images.subarray(0, 3072)), expectedImage(last, 1));
    assert.deepEqual(Array.from(data.validation.labels), [last[1 * CIFAR10_RECORD_BYTES], last[2 * CIFAR10_RECORD_BYTES]]);
  });

  it('uses extracted batches found locally, and re-extracts a verified local archive when a batch is damaged', async () => {
    const dir = tempDir();
    await loadDatasetFromSpec(tiny.spec, { dir, mirrors: [server.url], onProgress: quiet });
    const hits = server.hits.length;
    const cached = await loadDatasetFromSpec(tiny.spec, { dir, download: false });
    assert.deepEqual(cached.sources.files.map((f) => f.origin), ['dir']);

    writeFileSync(join(dir, 'cifar-10-binary.tar.gz'), tiny.archive);
    const damaged = join(dir, 'cifar-10-batches-bin', 'data_batch_3.bin');
    truncateSync(damaged, 100);
    const repaired = await loadDatasetFromSpec(tiny.spec, { dir, download: false });
    assert.equal(server.hits.length, hits);
    assert.deepEqual(repaired.sources.rejected, [
      { path: join(dir, 'cifar-10-batches-bin'), reason: `${damaged} has 100 bytes, expected ${TINY_CIFAR_RECORDS * CIFAR10_RECORD_BYTES} (4 records)` },
    ]);
    assert.equal(repaired.sources.files[1].extractedFrom, join(dir, 'cifar-10-binary.tar.gz'));
    assert.deepEqual(readFileSync(damaged), Buffer.from(tiny.batches['data_batch_3.bin']));
    assert.ok(existsSync(join(dir, 'cifar-10-binary.tar.gz')), 'an archive the user put there is kept');
  });

  it('verifies batches by content: all-zero files of the right size are rejected, each named with its SHA-1', async () => {
    const spec = getDatasetSpec('cifar10') as Cifar10DatasetSpec;
    const dir = tempDir();
    const batchDir = join(dir, spec.batchDir);
    mkdirSync(batchDir);
    const names = [...spec.trainBatches, spec.testBatch];
    for (const name of names) {
      writeFileSync(join(batchDir, name), '');
      truncateSync(join(batchDir, name), spec.recordsPerBatch * CIFAR10_RECORD_BYTES); // 30 730 000 zero bytes
    }
    const zeroSha1 = sha1(new Uint8Array(spec.recordsPerBatch * CIFAR10_RECORD_BYTES));
    const error = await fetchDataset('cifar10', { dir, download: false }).then(() => assert.fail('zero batches must be refused'), (e: Error) => e);
    for (const name of names) {
      assert.ok(error.message.includes(`${join(batchDir, name)} is not the published ${name}: its SHA-1 is ${zeroSha1}, the published file's ${spec.batchSha1[name]}`), error.message);
    }
  });

  it('rejects an archive lacking a batch, leaving no partial folder', async () => {
    const { spec } = tiny;
    const incomplete = { ...spec, trainBatches: [...spec.trainBatches.slice(0, 4), 'data_batch_6.bin'] };
    const dir = tempDir();
    await assert.rejects(loadDatasetFromSpec(incomplete, { dir, mirrors: [server.url], onProgress: quiet }), {
      message: `${join(dir, 'cifar-10-binary.tar.gz')}: not a complete CIFAR-10 binary archive: cifar-10-batches-bin/data_batch_6.bin is missing`,
    });
    assert.deepEqual(readdirSync(dir), ['cifar-10-binary.tar.gz']);
  });
});
