import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { getDatasetSpec } from '../lib/data/datasets';
import { downloadVerified, fileUrl, terminalDownloadReporter, type DownloadEvent } from '../lib/data/download';
import { loadDataset, loadDatasetFromSpec } from '../lib/data/load';
import { MIRROR_ENV, DATA_DIR_ENV } from '../lib/data/paths';
import { fetchDatasetFromSpec } from '../lib/data/resolve';
import { md5Hex, refusedUrl, startServer, tempDir, tinyIdxDataset, type TestServer } from './data-fixtures';

/** Runs fn with the data environment variables cleared, so the caller's shell cannot leak in. */
async function withCleanEnv<T>(fn: () => Promise<T>, env: Record<string, string> = {}): Promise<T> {
  const saved = { [DATA_DIR_ENV]: process.env[DATA_DIR_ENV], [MIRROR_ENV]: process.env[MIRROR_ENV] };
  delete process.env[DATA_DIR_ENV];
  delete process.env[MIRROR_ENV];
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

const quiet = () => undefined;

describe('data: verified downloads from a loopback server', () => {
  const tiny = tinyIdxDataset();
  const labels = tiny.files.trainLabels;
  let servers: TestServer[] = [];
  const serve = async (routes: Parameters<typeof startServer>[0]) => {
    const s = await startServer(routes);
    servers.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
  });

  it('downloads, verifies and parses a dataset: every value round-trips exactly', async () => {
    const server = await serve(tiny.served);
    const dir = tempDir();
    const events: DownloadEvent[] = [];
    const data = await withCleanEnv(() =>
      loadDatasetFromSpec(tiny.spec, { dir, mirrors: [server.url], onProgress: (e) => events.push(e) }),
    );
    // Files land under their real names, nothing else is left behind.
    assert.deepEqual(readdirSync(dir).sort(), Object.values(tiny.files).map((f) => f.spec.name).sort());
    for (const f of Object.values(tiny.files)) assert.deepEqual(readFileSync(join(dir, f.spec.name)), f.gz);
    // 5 train + 2 validation from the 7 training images; pixels are byte/256 exactly.
    const px = tiny.files.trainImages.values;
    assert.equal(data.train.count, 5);
    assert.equal(data.validation.count, 2);
    assert.equal(data.test.count, 3);
    assert.deepEqual(Array.from(data.train.images), Array.from(px.subarray(0, 5 * 16), (b) => b / 256));
    assert.deepEqual(Array.from(data.validation.images), Array.from(px.subarray(5 * 16), (b) => b / 256));
    assert.deepEqual(Array.from(data.test.images), Array.from(tiny.files.testImages.values, (b) => b / 256));
    assert.deepEqual(Array.from(data.train.labels), Array.from(labels.values.subarray(0, 5)));
    assert.deepEqual(Array.from(data.validation.labels), Array.from(labels.values.subarray(5)));
    assert.deepEqual(Array.from(data.test.labels), Array.from(tiny.files.testLabels.values));
    assert.deepEqual(data.train.shape, [4, 4, 1]);
    // Where each file came from, and the progress events of each download.
    assert.deepEqual(
      data.sources.files.map((f) => [f.file, f.origin, f.url]),
      Object.values(tiny.files).map((f) => [f.spec.name, 'download', `${server.url}${f.spec.name}`]),
    );
    const forLabels = events.filter((e) => e.file === labels.spec.name);
    assert.deepEqual(forLabels[0], { type: 'start', file: labels.spec.name, url: `${server.url}${labels.spec.name}`, totalBytes: labels.gz.length });
    assert.deepEqual(forLabels.at(-1), { type: 'done', file: labels.spec.name, url: `${server.url}${labels.spec.name}`, receivedBytes: labels.gz.length });
  });

  it('uses the verified cache on the next load without touching the network', async () => {
    const server = await serve(tiny.served);
    const dir = tempDir();
    await withCleanEnv(() => loadDatasetFromSpec(tiny.spec, { dir, mirrors: [server.url], onProgress: quiet }));
    const hits = server.hits.length;
    const again = await withCleanEnv(() => loadDatasetFromSpec(tiny.spec, { dir, download: false }));
    assert.equal(server.hits.length, hits);
    assert.deepEqual(again.sources.files.map((f) => f.origin), ['dir', 'dir', 'dir', 'dir']);
  });

  it('rejects a checksum mismatch: the cache is untouched, the temp file removed, the error says why', async () => {
    const corrupt = Buffer.from(labels.gz);
    corrupt[corrupt.length - 1] ^= 0xff;
    const server = await serve({ [`/${labels.spec.name}`]: corrupt });
    const dir = tempDir();
    const good = Buffer.from('previous good copy');
    writeFileSync(join(dir, labels.spec.name), good);
    await assert.rejects(downloadVerified({ file: labels.spec, baseUrls: [server.url], destDir: dir }), {
      message:
        `Could not download ${labels.spec.name} into ${dir}:\n` +
        `  ${server.url}${labels.spec.name}: checksum mismatch: MD5 ${md5Hex(corrupt)}, expected ${labels.spec.md5}`,
    });
    assert.deepEqual(readdirSync(dir), [labels.spec.name]);
    assert.deepEqual(readFileSync(join(dir, labels.spec.name)), good);
  });

  it('rejects a body cut off mid-transfer and leaves no file behind', async () => {
    const half = labels.gz.subarray(0, Math.floor(labels.gz.length / 2));
    const server = await serve({
      [`/${labels.spec.name}`]: (_req, res) => {
        res.writeHead(200, { 'Content-Length': labels.gz.length });
        res.write(half, () => res.destroy());
      },
    });
    const dir = tempDir();
    await assert.rejects(
      downloadVerified({ file: labels.spec, baseUrls: [server.url], destDir: dir }),
      (err: Error) => err.message.startsWith(`Could not download ${labels.spec.name} into ${dir}:\n  ${server.url}${labels.spec.name}: terminated`),
    );
    assert.deepEqual(readdirSync(dir), []);
  });

  it('rejects a short body sent without a length, and a body of the wrong announced length', async () => {
    const part = labels.gz.subarray(0, labels.gz.length - 5);
    const chunked = await serve({
      [`/${labels.spec.name}`]: (_req, res) => {
        res.write(part); // no Content-Length: chunked transfer, ended early but cleanly
        res.end();
      },
    });
    const announcing = await serve({ [`/${labels.spec.name}`]: part });
    const dir = tempDir();
    await assert.rejects(downloadVerified({ file: labels.spec, baseUrls: [chunked.url, announcing.url], destDir: dir }), {
      message:
        `Could not download ${labels.spec.name} into ${dir}:\n` +
        `  ${chunked.url}${labels.spec.name}: truncated: received ${part.length} bytes, expected ${labels.gz.length}\n` +
        `  ${announcing.url}${labels.spec.name}: server announces ${part.length} bytes, expected ${labels.gz.length}`,
    });
    assert.deepEqual(readdirSync(dir), []);
  });

  it('gives up a mirror that stalls or trickles (under 4 kB/s over the window), naming it, and takes the next', async () => {
    const timers: NodeJS.Timeout[] = [];
    const stalled = await serve({
      [`/${labels.spec.name}`]: (_req, res) => {
        res.writeHead(200, { 'Content-Length': labels.gz.length });
        res.write(labels.gz.subarray(0, 10)); // then nothing, connection kept open
      },
    });
    const trickling = await serve({
      [`/${labels.spec.name}`]: (_req, res) => {
        res.writeHead(200, { 'Content-Length': labels.gz.length });
        let sent = 0;
        const drip = setInterval(() => res.write(labels.gz.subarray(sent, ++sent)), 20); // 50 bytes/s
        timers.push(drip);
        res.on('close', () => clearInterval(drip));
      },
    });
    const good = await serve(tiny.served);
    const dir = tempDir();
    const events: DownloadEvent[] = [];
    const started = Date.now();
    const result = await downloadVerified({
      file: labels.spec, baseUrls: [stalled.url, trickling.url, good.url], destDir: dir, idleTimeoutSeconds: 0.3, onEvent: (e) => events.push(e),
    });
    timers.forEach(clearInterval);
    assert.equal(result.url, `${good.url}${labels.spec.name}`);
    assert.deepEqual(readFileSync(result.path), labels.gz);
    const failed = events.filter((e) => e.type === 'failed') as { url: string; reason: string }[];
    assert.deepEqual(failed.map((e) => e.url), [`${stalled.url}${labels.spec.name}`, `${trickling.url}${labels.spec.name}`]);
    assert.equal(failed[0].reason, '10 bytes in 0.3 s: the server stalls (under 4 kB/s)');
    assert.match(failed[1].reason, /^\d+ bytes in 0\.3 s: the server stalls \(under 4 kB\/s\)$/);
    assert.ok(Date.now() - started < 5000, 'each mirror is given up after its window');
    assert.deepEqual(readdirSync(dir), [labels.spec.name]);
  });

  it('refuses a stall window that is not a positive number of seconds', async () => {
    process.env.BNN_DOWNLOAD_IDLE_TIMEOUT = 'soon';
    try {
      await assert.rejects(downloadVerified({ file: labels.spec, baseUrls: [], destDir: tempDir() }), {
        message: "BNN_DOWNLOAD_IDLE_TIMEOUT must be a number of seconds above 0; got 'soon'.",
      });
    } finally {
      delete process.env.BNN_DOWNLOAD_IDLE_TIMEOUT;
    }
  });

  it('falls through to the next mirror on a 404 and on a refused connection', async () => {
    const empty = await serve({});
    const good = await serve(tiny.served);
    const refused = await refusedUrl();
    const dir = tempDir();
    const events: DownloadEvent[] = [];
    const result = await downloadVerified({
      file: labels.spec,
      baseUrls: [empty.url, refused, good.url],
      destDir: dir,
      onEvent: (e) => events.push(e),
    });
    assert.deepEqual(result, { path: join(dir, labels.spec.name), url: `${good.url}${labels.spec.name}` });
    assert.deepEqual(empty.hits, [`/${labels.spec.name}`]);
    assert.deepEqual(
      events.filter((e) => e.type === 'failed'),
      [
        { type: 'failed', file: labels.spec.name, url: `${empty.url}${labels.spec.name}`, reason: 'HTTP 404 Not Found' },
        { type: 'failed', file: labels.spec.name, url: `${refused}${labels.spec.name}`, reason: 'fetch failed (ECONNREFUSED)' },
      ],
    );
    assert.deepEqual(readFileSync(result.path), labels.gz);
  });

  it('takes its mirrors from BNN_DATA_MIRROR when none are given', async () => {
    const server = await serve(tiny.served);
    const dir = tempDir();
    const report = await withCleanEnv(() => fetchDatasetFromSpec(tiny.spec, { dir, onProgress: quiet }), {
      [MIRROR_ENV]: `${await refusedUrl()}, ${server.url}`,
    });
    assert.deepEqual(report.files.map((f) => f.url), Object.values(tiny.files).map((f) => `${server.url}${f.spec.name}`));
  });

  it('offline with nothing cached: the error says how to get the data', async () => {
    const dir = tempDir();
    const refused = await refusedUrl();
    await assert.rejects(
      withCleanEnv(() => loadDatasetFromSpec(tiny.spec, { dir, mirrors: [refused], onProgress: quiet })),
      (err: Error) => {
        assert.match(err.message, /^Dataset "tiny-mnist" is not available: train-images-idx3-ubyte\.gz is not available locally and the download failed\./);
        assert.ok(err.message.includes(`  ${refused}train-images-idx3-ubyte.gz: fetch failed (ECONNREFUSED)`));
        assert.ok(err.message.includes(`Looked in:\n  ${dir}\n`));
        assert.ok(err.message.includes('  npm run data -- --dataset tiny-mnist'));
        return true;
      },
    );
    assert.deepEqual(readdirSync(dir), []);
  });

  it('with downloading off, lists the missing files and how to get them', async () => {
    const dir = tempDir();
    await assert.rejects(withCleanEnv(() => loadDatasetFromSpec(tiny.spec, { dir, download: false })), (err: Error) => {
      assert.ok(
        err.message.startsWith(
          'Dataset "tiny-mnist" is not available: no verified copy of train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, ' +
            't10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz found locally, and downloading is off.\n' +
            `Looked in:\n  ${dir}\n`,
        ),
      );
      assert.ok(err.message.includes('To get it:\n  npm run data -- --dataset tiny-mnist'));
      return true;
    });
  });

  it('the Fashion-MNIST message also names the Debian package', async () => {
    const spec = { ...getDatasetSpec('fashion-mnist'), dirName: 'fashion-mnist-absent', systemDirs: [] };
    await assert.rejects(withCleanEnv(() => loadDatasetFromSpec(spec, { dir: tempDir(), download: false })), (err: Error) => {
      assert.ok(err.message.includes('  npm run data -- --dataset fashion-mnist'));
      assert.ok(err.message.includes('  apt-get install dataset-fashion-mnist'));
      return true;
    });
  });

  it('rejects an unknown dataset name, listing the valid ones', async () => {
    await assert.rejects(loadDataset('cifar100'), {
      message: 'Unknown dataset "cifar100". Valid datasets: mnist, fashion-mnist, cifar10.',
    });
  });

  it('skips a corrupt cached copy, reports it, and replaces it with a verified download', async () => {
    const server = await serve(tiny.served);
    const dir = tempDir();
    const path = join(dir, labels.spec.name);
    writeFileSync(path, labels.gz.subarray(0, 20));
    const report = await withCleanEnv(() => fetchDatasetFromSpec(tiny.spec, { dir, mirrors: [server.url], onProgress: quiet }));
    assert.equal(report.rejected.length, 1);
    assert.equal(report.rejected[0].path, path);
    assert.match(report.rejected[0].reason, /cannot decompress/);
    assert.deepEqual(readFileSync(path), labels.gz);
  });

  it('shows downloads on a non-terminal stream as plain lines', () => {
    let text = '';
    const stream = new Writable({
      write(chunk, _enc, done) {
        text += String(chunk);
        done();
      },
    });
    const report = terminalDownloadReporter(stream);
    const url = fileUrl('http://127.0.0.1:1/base', 'f.gz');
    assert.equal(url, 'http://127.0.0.1:1/base/f.gz');
    report({ type: 'start', file: 'f.gz', url, totalBytes: 2_000_000 });
    report({ type: 'progress', file: 'f.gz', url, receivedBytes: 1_000_000, totalBytes: 2_000_000 });
    report({ type: 'done', file: 'f.gz', url, receivedBytes: 2_000_000 });
    report({ type: 'failed', file: 'g.gz', url, reason: 'HTTP 500 Internal Server Error' });
    const lines = text.trim().split('\n');
    assert.equal(lines[0], `Downloading ${url}`);
    assert.match(lines[1], /^f\.gz — 1\.0 MB\/2\.0 MB \(50%\) · .* · ETA /);
    assert.match(lines[2], /^f\.gz — 2\.0 MB\/2\.0 MB \(100%\) · .* · done in \d+s$/);
    assert.equal(lines[3], `g.gz: ${url} failed: HTTP 500 Internal Server Error`);
  });
});
