import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setDisplayWriter, type DisplayBundle } from '../lib/display';
import { formatAmount, formatBytes, formatDuration } from '../lib/display/format';
import {
  createProgress, notebookProgress, PROGRESS_FILE_ENV, statusText, terminalProgress, type ProgressStream,
} from '../lib/display/progress';
import { trainingProgress } from '../lib/train/progress';

/** A stream that records what is written; `isTTY` decides which kind of terminal view is drawn. */
function recorder(isTTY: boolean): { stream: ProgressStream; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  }) as Writable & { isTTY?: boolean; columns?: number };
  stream.isTTY = isTTY;
  stream.columns = 160;
  return { stream, text: () => text };
}

/** Notebook outputs as tslab's writer receives them. */
function recordingWriter(): { sent: { bundle: DisplayBundle; update: boolean }[] } {
  const record = { sent: [] as { bundle: DisplayBundle; update: boolean }[] };
  setDisplayWriter((bundle, update) => record.sent.push({ bundle, update }));
  return record;
}

describe('progress', () => {
  afterEach(() => setDisplayWriter(null));

  it('formats bytes with SI prefixes, durations in s/m/h, and amounts with their unit', () => {
    assert.deepEqual([formatBytes(999), formatBytes(1000), formatBytes(26_421_880), formatBytes(170_052_171)], ['999 B', '1.0 kB', '26.4 MB', '170.1 MB']);
    assert.deepEqual([formatDuration(4.4), formatDuration(185), formatDuration(3720), formatDuration(Infinity)], ['4s', '3m05s', '1h02m', '?']);
    assert.deepEqual([formatAmount(3, 'epochs'), formatAmount(2.5, undefined), formatAmount(2048, 'bytes')], ['3 epochs', '2.5', '2.0 kB']);
    assert.deepEqual([formatAmount(1, 'epochs'), formatAmount(0, 'epochs'), formatAmount(1, 'bytes')], ['1 epoch', '0 epochs', '1 B']);
  });

  it('one status text for every view: stage, amount of total, fields', () => {
    assert.equal(statusText({ done: 12, total: 40, stage: 'ranges', fields: { loss: 0.431271, 'img/s': 980 } }, 'batches'), 'ranges · 12/40 batches (30%) · loss 0.4313 · img/s 980');
    assert.equal(statusText({ done: 2_000_000 }, 'bytes'), '2.0 MB');
  });

  describe('terminal view', () => {
    it('off a terminal, writes one line per tenth of each stage and a final line per stage', () => {
      const out = recorder(false);
      const progress = terminalProgress('analysis', { unit: 'batches', stream: out.stream });
      for (let i = 1; i <= 5; i++) progress.update({ done: i, total: 20, stage: 'ranges', fields: { loss: 1 / i } });
      progress.update({ done: 1, total: 2, stage: 'histograms' });
      progress.done();
      assert.throws(() => progress.update({ done: 2 }), { message: 'progress "analysis": done() was already called; create a new progress for a new loop' });
      const lines = out.text().trim().split('\n');
      assert.equal(lines.length, 5);
      assert.match(lines[0], /^analysis — ranges · 2\/20 batches \(10%\) · .* · ETA .* · loss 0\.5$/);
      assert.match(lines[1], /^analysis — ranges · 4\/20 batches \(20%\) · .* · ETA .* · loss 0\.25$/);
      assert.match(lines[2], /^analysis — ranges · 5\/20 batches \(25%\) · .* · done in \d+s · loss 0\.2$/);
      assert.match(lines[3], /^analysis — histograms · 1\/2 batches \(50%\) · .* · ETA /);
      assert.match(lines[4], /^analysis — histograms · 1\/2 batches \(50%\) · .* · done in \d+s$/);
    });

    it('off a terminal, also writes a line after a long silence, and a summary in place of the final line', () => {
      const out = recorder(false);
      const progress = terminalProgress('batch', { stream: out.stream, lineIntervalMs: 0 });
      progress.update({ done: 1, total: 1000 });
      progress.update({ done: 2, total: 1000 });
      progress.done('all 1000 batches');
      assert.deepEqual(out.text().split('\n').filter(Boolean).slice(2), ['batch — all 1000 batches']);
      assert.equal(out.text().split('\n').filter(Boolean).length, 3);
    });

    it('on a terminal, draws a bar with the stage, amount, rate and fields', () => {
      const out = recorder(true);
      const progress = terminalProgress('f.gz', { unit: 'bytes', stream: out.stream });
      progress.update({ done: 1_000_000, total: 2_000_000, fields: { mirror: 'a' } });
      progress.done();
      assert.match(out.text(), /f\.gz \[[^\]]+\] 50% \| 1\.0 MB\/2\.0 MB \| .* \| ETA .* \| mirror a/);
    });
  });

  describe('notebook view', () => {
    it('updates one output in place, at most once per interval, and shows the latest state at done()', () => {
      const record = recordingWriter();
      let now = 0;
      const progress = notebookProgress('training', { unit: 'batches', clock: () => now });
      progress.update({ done: 1, total: 4, fields: { loss: 0.43127 } });
      now = 100;
      progress.update({ done: 2, total: 4, fields: { loss: 0.4 } }); // within 500 ms: held back
      now = 600;
      progress.update({ done: 3, total: 4, stage: 'epoch 2' });
      now = 700;
      progress.update({ done: 4, total: 4, fields: { loss: 0.25, acc: 91 } });
      now = 65_000;
      progress.done();
      assert.deepEqual(record.sent.map((s) => [s.update, s.bundle.data['text/plain']]), [
        [false, 'training — 1/4 batches (25%) · loss 0.4313 · 0s'],
        [true, 'training — epoch 2 · 3/4 batches (75%) · 1s'],
        [true, 'training — 4/4 batches (100%) · loss 0.25 · acc 91 · 1m05s'],
      ]);
      const ids = new Set(record.sent.map((s) => s.bundle.transient.display_id));
      assert.equal(ids.size, 1);
      assert.match(String([...ids][0]), /^progress-[0-9a-f]{16}$/);
      assert.throws(() => progress.update({ done: 5 }), { message: 'progress "training": done() was already called; create a new progress for a new loop' });
    });

    it('shows a summary passed to done(), and mirrors each line to BNN_PROGRESS_FILE for headless runs', () => {
      const record = recordingWriter();
      const dir = mkdtempSync(join(tmpdir(), 'bnn-progress-'));
      process.env[PROGRESS_FILE_ENV] = join(dir, 'progress.txt');
      try {
        const progress = notebookProgress('eval', { clock: () => 0 });
        progress.update({ done: 1, total: 2 });
        progress.done('accuracy 0.9');
        assert.deepEqual(record.sent.map((s) => s.bundle.data['text/plain']), ['eval — 1/2 (50%) · 0s', 'eval — accuracy 0.9 · 0s']);
        assert.equal(readFileSync(join(dir, 'progress.txt'), 'utf8'), 'eval — accuracy 0.9 · 0s');
      } finally {
        delete process.env[PROGRESS_FILE_ENV];
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it('createProgress shows in the notebook inside tslab, on the given stream otherwise', () => {
    const record = recordingWriter();
    createProgress('in notebook', { clock: () => 0 }).done('shown');
    assert.deepEqual(record.sent.map((s) => s.bundle.data['text/plain']), ['in notebook — shown · 0s']);
    const out = recorder(false);
    createProgress('to a stream', { stream: out.stream }).done('written');
    assert.equal(out.text(), 'to a stream — written\n');
    assert.equal(record.sent.length, 1);
  });

  it('training progress: a display per epoch that ends as the epoch summary, and checkpoint lines', () => {
    const record = recordingWriter();
    const log: string[] = [];
    const onEvent = trainingProgress((line) => log.push(line));
    const epoch = { epochs: 2, learningRate: 1e-3, trainLoss: 0.5, trainAccuracy: 0.8, validationLoss: 0.6, validationAccuracy: 0.75, seconds: 3, imagesPerSecond: 990 };
    for (const e of [1, 2]) {
      onEvent({ kind: 'batch', epoch: e, epochs: 2, batch: 1, batches: 2, loss: 0.7, accuracy: 0.5, imagesPerSecond: 990.4, etaSeconds: 65 });
      onEvent({ kind: 'epoch', epoch: e, ...epoch });
    }
    onEvent({ kind: 'checkpoint', epoch: 2, dir: '/tmp/run' });
    const lines = record.sent.map((s) => String(s.bundle.data['text/plain']));
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^epoch 1\/2 — 1\/2 batches \(50%\) · loss 0\.7 · acc 50\.00% · img\/s 990 · run ETA 1m05s · \d+s$/);
    assert.match(lines[1], /^epoch 2\/2 — /);
    assert.equal(new Set(record.sent.map((s) => s.bundle.transient.display_id)).size, 2, 'one output per epoch');
    assert.equal(log.length, 3);
    assert.match(log[0], /^epoch 1\/2 /);
    assert.equal(log[2], 'checkpoint (epoch 2) saved in /tmp/run');
  });
});
