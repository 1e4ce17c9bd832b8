/**
 * Tiny datasets in the real file formats (gzipped IDX; CIFAR-10 binary batches in a tar.gz with the
 * real directory layout), specs whose checksums match them, and a loopback HTTP server to download
 * them from. Nothing here touches the internet.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { create as createTar } from 'tar';
import {
  CIFAR10_SCALING,
  MNIST_SCALING,
  type Cifar10DatasetSpec,
  type IdxDatasetSpec,
  type IdxFileSpec,
} from '../lib/data/datasets';
import { createRng } from '../lib/stats/random';

export const md5Hex = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
export const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');

/** A fresh temporary folder. */
export function tempDir(prefix = 'bnn-data-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** IDX bytes: magic (0x0000 08 ndims), big-endian dims, then the values. */
export function idxBytes(dims: number[], values: Uint8Array, magic = 0x0800 + dims.length): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(values)]);
}

/** Seeded random bytes below `bound`, with 0 and bound−1 forced in so the full range is exercised. */
export function randomBytes(n: number, bound: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  const out = Uint8Array.from({ length: n }, () => rng.int(bound));
  if (n >= 2) {
    out[0] = 0;
    out[n - 1] = bound - 1;
  }
  return out;
}

/** The spec of one gzipped IDX file holding `values` with `dims`. */
function idxFile(name: string, dims: number[], values: Uint8Array) {
  const raw = idxBytes(dims, values);
  const gz = gzipSync(raw);
  const spec: IdxFileSpec = {
    name,
    bytes: gz.length,
    md5: md5Hex(gz),
    contentSha256: sha256(raw),
    magic: 0x0800 + dims.length,
    dims,
  };
  return { spec, gz, raw, values };
}

/** Image side of the tiny IDX dataset (small, but not square-symmetric errors would still show). */
const TINY_SIDE = 4;

/**
 * A tiny MNIST-like dataset: 7 training images (5 train + 2 validation) and 3 test images of 4×4
 * pixels, in real gzipped IDX files, with a spec whose sizes and checksums match those files.
 */
export function tinyIdxDataset(name = 'tiny-mnist') {
  const side = TINY_SIDE;
  const nTrain = 7;
  const nTest = 3;
  const trainPixels = randomBytes(nTrain * side * side, 256, 11);
  const testPixels = randomBytes(nTest * side * side, 256, 12);
  const trainLabels = randomBytes(nTrain, 10, 13);
  const testLabels = randomBytes(nTest, 10, 14);
  const files = {
    trainImages: idxFile('train-images-idx3-ubyte.gz', [nTrain, side, side], trainPixels),
    trainLabels: idxFile('train-labels-idx1-ubyte.gz', [nTrain], trainLabels),
    testImages: idxFile('t10k-images-idx3-ubyte.gz', [nTest, side, side], testPixels),
    testLabels: idxFile('t10k-labels-idx1-ubyte.gz', [nTest], testLabels),
  };
  const spec: IdxDatasetSpec = {
    format: 'idx',
    name,
    dirName: name,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    imageShape: [side, side, 1],
    trainPoolCount: nTrain,
    validationCount: 2,
    testCount: nTest,
    scaling: MNIST_SCALING,
    mirrors: [],
    systemDirs: [],
    files: {
      trainImages: files.trainImages.spec,
      trainLabels: files.trainLabels.spec,
      testImages: files.testImages.spec,
      testLabels: files.testLabels.spec,
    },
  };
  /** URL path → body, for the loopback server. */
  const served = Object.fromEntries(Object.values(files).map((f) => [`/${f.spec.name}`, f.gz]));
  return { spec, files, served };
}

/** Writes the tiny dataset's four .gz files into `dir` (created if needed). */
export function writeIdxFiles(dir: string, dataset: ReturnType<typeof tinyIdxDataset>): void {
  mkdirSync(dir, { recursive: true });
  for (const f of Object.values(dataset.files)) writeFileSync(join(dir, f.spec.name), f.gz);
}

/** Records per batch of the tiny CIFAR-10: 5 training batches give a pool of 20. */
export const TINY_CIFAR_RECORDS = 4;

/**
 * A tiny CIFAR-10: five training batches and a test batch of 4 records each, in the real record
 * format, packed as cifar-10-batches-bin/… in a tar.gz like the published archive.
 */
export async function tinyCifarDataset() {
  const recordBytes = 3073;
  const batchNames = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];
  const build = tempDir('bnn-cifar-build-');
  const batchDir = join(build, 'cifar-10-batches-bin');
  mkdirSync(batchDir);
  const batches: Record<string, Uint8Array> = {};
  batchNames.forEach((name, b) => {
    const bytes = randomBytes(TINY_CIFAR_RECORDS * recordBytes, 256, 100 + b);
    for (let r = 0; r < TINY_CIFAR_RECORDS; r++) bytes[r * recordBytes] = (b * TINY_CIFAR_RECORDS + r) % 10;
    bytes[1] = 0; // the darkest pixel, so both ends of [−1, 1] are exercised
    batches[name] = bytes;
    writeFileSync(join(batchDir, name), bytes);
  });
  writeFileSync(join(batchDir, 'batches.meta.txt'), 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n');
  writeFileSync(join(batchDir, 'readme.html'), '<p>not needed</p>');
  const archivePath = join(build, 'cifar-10-binary.tar.gz');
  await createTar({ gzip: true, file: archivePath, cwd: build, portable: true }, ['cifar-10-batches-bin']);
  const archive = readFileSync(archivePath);
  const spec: Cifar10DatasetSpec = {
    format: 'cifar10-binary',
    name: 'tiny-cifar10',
    dirName: 'tiny-cifar10',
    classNames: ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'],
    imageShape: [32, 32, 3],
    trainPoolCount: 5 * TINY_CIFAR_RECORDS,
    validationCount: 3,
    testCount: TINY_CIFAR_RECORDS,
    scaling: CIFAR10_SCALING,
    mirrors: [],
    systemDirs: [],
    archive: { name: 'cifar-10-binary.tar.gz', bytes: archive.length, md5: md5Hex(archive) },
    batchDir: 'cifar-10-batches-bin',
    trainBatches: batchNames.slice(0, 5),
    testBatch: 'test_batch.bin',
    batchSha1: Object.fromEntries(Object.entries(batches).map(([name, bytes]) => [name, sha1(bytes)])),
    metaFile: 'batches.meta.txt',
    recordsPerBatch: TINY_CIFAR_RECORDS,
  };
  return { spec, archive, batches };
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface TestServer {
  /** Base URL ending in '/'. */
  url: string;
  /** Request paths in order. */
  hits: string[];
  close(): Promise<void>;
}

/** Serves `routes` (path → body or handler) on 127.0.0.1 at a free port; other paths get 404. */
export async function startServer(routes: Record<string, Uint8Array | Handler>): Promise<TestServer> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.push(path);
    const route = routes[path];
    if (route === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
    } else if (typeof route === 'function') {
      route(req, res);
    } else {
      res.writeHead(200, { 'Content-Length': route.length, 'Content-Type': 'application/octet-stream' });
      res.end(route);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A base URL on 127.0.0.1 where nothing listens (the port of a server just closed): connections are refused. */
export async function refusedUrl(): Promise<string> {
  const s = await startServer({});
  await s.close();
  return s.url;
}
