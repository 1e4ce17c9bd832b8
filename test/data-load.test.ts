import { strict as assert } from 'node:assert';
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { getDatasetSpec, idxFiles, type IdxDatasetSpec } from '../lib/data/datasets';
import { gunzipFile } from '../lib/data/idx';
import { loadDataset, loadDatasetFromSpec } from '../lib/data/load';
import { DATA_DIR_ENV, MIRROR_ENV, dataLocations, repoDataDir } from '../lib/data/paths';
import { md5Hex, sha256, tempDir, tinyIdxDataset, writeIdxFiles } from './data-fixtures';

/** Runs fn with BNN_DATA_DIR set to `dataDir` (or unset) and BNN_DATA_MIRROR unset. */
async function withDataDir<T>(dataDir: string | undefined, fn: () => T | Promise<T>): Promise<T> {
  const saved = [process.env[DATA_DIR_ENV], process.env[MIRROR_ENV]];
  delete process.env[MIRROR_ENV];
  if (dataDir === undefined) delete process.env[DATA_DIR_ENV];
  else process.env[DATA_DIR_ENV] = dataDir;
  try {
    return await fn();
  } finally {
    [DATA_DIR_ENV, MIRROR_ENV].forEach((k, i) => {
      if (saved[i] === undefined) delete process.env[k];
      else process.env[k] = saved[i];
    });
  }
}

describe('data: lookup order', () => {
  const tiny = tinyIdxDataset();

  it('resolves the repo data folder from the package root, whatever the working directory', () => {
    const cwd = process.cwd();
    try {
      process.chdir(tmpdir());
      assert.equal(repoDataDir(tiny.spec), resolve(__dirname, '..', 'data', 'tiny-mnist'));
    } finally {
      process.chdir(cwd);
    }
  });

  it('searches the given folder (or $BNN_DATA_DIR/<dataset>), then data/<dataset>, then system folders', async () => {
    const spec: IdxDatasetSpec = { ...tiny.spec, systemDirs: ['/sys/a', '/sys/b'] };
    const repo = repoDataDir(spec);
    await withDataDir('/env/root', () => {
      assert.deepEqual(dataLocations(spec, '/given'), [
        { dir: '/given', kind: 'dir' },
        { dir: repo, kind: 'cache' },
        { dir: '/sys/a', kind: 'system' },
        { dir: '/sys/b', kind: 'system' },
      ]);
      assert.deepEqual(dataLocations(spec).slice(0, 2), [
        { dir: '/env/root/tiny-mnist', kind: 'dir' },
        { dir: repo, kind: 'cache' },
      ]);
      assert.deepEqual(dataLocations(spec, repo).map((l) => l.kind), ['dir', 'system', 'system']);
    });
  });

  it('reads a system folder when nothing else has the files', async () => {
    const system = tempDir();
    writeIdxFiles(system, tiny);
    const spec = { ...tiny.spec, systemDirs: [system] };
    const data = await withDataDir(undefined, () => loadDatasetFromSpec(spec, { dir: tempDir(), download: false }));
    assert.deepEqual(data.sources.files.map((f) => [f.origin, f.path]), idxFiles(spec).map((f) => ['system', join(system, f.name)]));
  });

  it('prefers $BNN_DATA_DIR/<dataset>, and a corrupt copy there is an error, not a switch to the copy further down', async () => {
    const root = tempDir();
    const system = tempDir();
    writeIdxFiles(join(root, 'tiny-mnist'), tiny);
    writeIdxFiles(system, tiny);
    const bad = join(root, 'tiny-mnist', 't10k-labels-idx1-ubyte.gz');
    writeFileSync(bad, tiny.files.trainLabels.gz); // a valid IDX file, but not this one
    const spec = { ...tiny.spec, systemDirs: [system] };
    await assert.rejects(withDataDir(root, () => loadDatasetFromSpec(spec, { download: false })), {
      message: [
        `${join(root, 'tiny-mnist')} holds tiny-mnist files that fail verification:`,
        `  ${bad}: IDX dimensions [7], expected [3]`,
        `Remove or replace them (npm run data -- --dataset tiny-mnist --dir ${join(root, 'tiny-mnist')} then downloads verified copies), ` +
          'or leave the folder out (--data-dir, $BNN_DATA_DIR) to use data/tiny-mnist/ or the system copies.',
      ].join('\n'),
    });
    writeIdxFiles(join(root, 'tiny-mnist'), tiny);
    const data = await withDataDir(root, () => loadDatasetFromSpec(spec, { download: false }));
    assert.deepEqual(data.sources.files.map((f) => f.origin), ['dir', 'dir', 'dir', 'dir']);
  });

  it('a data folder that does not exist is an error, not a switch to another copy', async () => {
    const missing = join(tempDir(), 'typo');
    await assert.rejects(withDataDir(undefined, () => loadDatasetFromSpec(tiny.spec, { dir: missing })), {
      message: `The data folder ${missing} does not exist. Name the folder that holds the tiny-mnist files, leave it out to use ` +
        `data/tiny-mnist/ or the system copies, or download into it: npm run data -- --dataset tiny-mnist --dir ${missing}`,
    });
  });
});

describe('data: a folder given explicitly', () => {
  const tiny = tinyIdxDataset();

  it('is an error listing each file that fails verification there, not a silent switch to another copy', async () => {
    const given = tempDir();
    const system = tempDir();
    writeIdxFiles(given, tiny);
    writeIdxFiles(system, tiny);
    const labels = join(given, 't10k-labels-idx1-ubyte.gz');
    const images = join(given, 'train-images-idx3-ubyte.gz');
    writeFileSync(labels, tiny.files.trainLabels.gz); // a valid IDX file, but not this one
    writeFileSync(images, 'not gzip');
    const spec = { ...tiny.spec, systemDirs: [system] };
    await assert.rejects(withDataDir(undefined, () => loadDatasetFromSpec(spec, { dir: given, download: false })), {
      message: [
        `${given} holds tiny-mnist files that fail verification:`,
        `  ${images}: cannot decompress (incorrect header check): the file is truncated or not gzip`,
        `  ${labels}: IDX dimensions [7], expected [3]`,
        `Remove or replace them (npm run data -- --dataset tiny-mnist --dir ${given} then downloads verified copies), ` +
          'or leave the folder out (--data-dir, $BNN_DATA_DIR) to use data/tiny-mnist/ or the system copies.',
      ].join('\n'),
    });
  });
});

describe('data: splits and limit', () => {
  const tiny = tinyIdxDataset();
  const dir = tempDir();
  before(() => writeIdxFiles(dir, tiny));

  it('limit truncates each split to its first images', async () => {
    const data = await withDataDir(undefined, () => loadDatasetFromSpec(tiny.spec, { dir, limit: 1 }));
    assert.deepEqual([data.train.count, data.validation.count, data.test.count], [1, 1, 1]);
    const px = tiny.files.trainImages.values;
    assert.deepEqual(Array.from(data.train.images), Array.from(px.subarray(0, 16), (b) => b / 256));
    assert.deepEqual(Array.from(data.validation.images), Array.from(px.subarray(5 * 16, 6 * 16), (b) => b / 256));
    assert.deepEqual(Array.from(data.validation.labels), [tiny.files.trainLabels.values[5]]);
  });

  it('rejects a limit that is not a positive integer', async () => {
    await assert.rejects(loadDatasetFromSpec(tiny.spec, { dir, limit: 0 }), { message: 'limit must be a positive integer, got 0' });
    await assert.rejects(loadDatasetFromSpec(tiny.spec, { dir, limit: 2.5 }), { message: 'limit must be a positive integer, got 2.5' });
  });

  it('rejects a label outside the classes', async () => {
    const spec = { ...tiny.spec, classNames: ['a', 'b'] };
    await assert.rejects(withDataDir(undefined, () => loadDatasetFromSpec(spec, { dir })), /^Error: tiny-mnist labels: label \d at index \d, expected 0–1$/);
  });
});

// The real Fashion-MNIST from Debian's dataset-fashion-mnist (installed by .ci/run).
const FASHION_SYSTEM_DIR = '/usr/share/datasets/fashion-mnist';
// Published MD5s of the decompressed IDX files (e.g. torchvision-based loaders' `raw_data` tables);
// independent of the SHA-256 values in the spec, so both are checked against the real files.
const FASHION_RAW_MD5: Record<string, string> = {
  'train-images-idx3-ubyte.gz': 'f4a8712d7a061bf5bd6d2ca38dc4d50a',
  'train-labels-idx1-ubyte.gz': '9018921c3c673c538a1fc5bad174d6f9',
  't10k-images-idx3-ubyte.gz': '8181f5470baa50b63fa0f6fddb340f0a',
  't10k-labels-idx1-ubyte.gz': '15d484375f8d13e6eb1aabb0c3f46965',
};

describe('data: real Fashion-MNIST from the system folder', function () {
  before(function () {
    if (!existsSync(FASHION_SYSTEM_DIR)) this.skip();
  });

  it('its files match the published checksums of their content', () => {
    const spec = getDatasetSpec('fashion-mnist') as IdxDatasetSpec;
    for (const file of idxFiles(spec)) {
      const raw = gunzipFile(join(FASHION_SYSTEM_DIR, file.name));
      assert.equal(md5Hex(raw), FASHION_RAW_MD5[file.name], file.name);
      assert.equal(sha256(raw), file.contentSha256, file.name);
    }
  });

  it('loads 50000/10000/10000 images of 28×28×1, 6000 per class in train+validation, 1000 in test, pixels in [0, 255/256]', async () => {
    const data = await withDataDir(undefined, () => loadDataset('fashion-mnist', { download: false }));
    if (!existsSync(repoDataDir(getDatasetSpec('fashion-mnist')))) {
      assert.deepEqual(data.sources.files.map((f) => f.origin), ['system', 'system', 'system', 'system']);
    }
    assert.deepEqual([data.train.count, data.validation.count, data.test.count], [50000, 10000, 10000]);
    assert.deepEqual(data.train.shape, [28, 28, 1]);
    assert.equal(data.train.images.length, 50000 * 784);
    assert.equal(data.validation.images.length, 10000 * 784);
    assert.equal(data.test.images.length, 10000 * 784);
    assert.equal(data.classNames[9], 'Ankle boot');
    const counts = (labels: Int32Array) => {
      const c = new Array<number>(10).fill(0);
      for (const l of labels) c[l]++;
      return c;
    };
    const trainVal = counts(data.train.labels).map((n, k) => n + counts(data.validation.labels)[k]);
    assert.deepEqual(trainVal, new Array(10).fill(6000));
    assert.deepEqual(counts(data.test.labels), new Array(10).fill(1000));
    for (const split of [data.train, data.validation, data.test]) {
      let min = Infinity;
      let max = -Infinity;
      for (const v of split.images) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      assert.deepEqual([min, max], [0, 255 / 256]);
    }
  });
});
