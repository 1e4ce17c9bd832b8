import { strict as assert } from 'node:assert';
import { Writable } from 'node:stream';
import { createProgressBar, formatAmount, formatBytes, formatDuration, type ProgressStream } from '../lib/display/terminal-progress';

/** A stream that records what is written; `isTTY` decides which kind of bar is drawn. */
function recorder(isTTY: boolean): { stream: ProgressStream; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  }) as Writable & { isTTY?: boolean; columns?: number };
  stream.isTTY = isTTY;
  stream.columns = 120;
  return { stream, text: () => text };
}

describe('terminal progress', () => {
  it('formats bytes with SI prefixes, durations in s/m/h, and amounts with their unit', () => {
    assert.deepEqual([formatBytes(999), formatBytes(1000), formatBytes(26_421_880), formatBytes(170_052_171)], ['999 B', '1.0 kB', '26.4 MB', '170.1 MB']);
    assert.deepEqual([formatDuration(4.4), formatDuration(185), formatDuration(3720), formatDuration(Infinity)], ['4s', '3m05s', '1h02m', '?']);
    assert.deepEqual([formatAmount(3, 'epochs'), formatAmount(2.5, undefined), formatAmount(2048, 'bytes')], ['3 epochs', '2.5', '2.0 kB']);
    assert.deepEqual([formatAmount(1, 'epochs'), formatAmount(0, 'epochs'), formatAmount(1, 'bytes')], ['1 epoch', '0 epochs', '1 B']);
  });

  it('off a terminal, writes one line per tenth completed and a final line, with the extra values', () => {
    const out = recorder(false);
    const bar = createProgressBar({ total: 20, label: 'epoch', unit: 'epochs', stream: out.stream });
    for (let i = 1; i <= 5; i++) bar.update(i, { loss: 1 / i });
    bar.stop();
    bar.stop(); // idempotent
    bar.update(20);
    const lines = out.text().trim().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0], /^epoch: 2 epochs\/20 epochs \(10%\), .*, ETA .* \| loss 0\.5000$/);
    assert.match(lines[1], /^epoch: 4 epochs\/20 epochs \(20%\), .*, ETA .* \| loss 0\.2500$/);
    assert.match(lines[2], /^epoch: 5 epochs\/20 epochs \(25%\), .*, done in \d+s \| loss 0\.2000$/);
  });

  it('off a terminal, also writes a line after a long silence even without a new tenth', () => {
    const out = recorder(false);
    const bar = createProgressBar({ total: 1000, label: 'batch', stream: out.stream, lineIntervalMs: 0 });
    bar.update(1);
    bar.update(2);
    assert.equal(out.text().split('\n').filter(Boolean).length, 2);
  });

  it('on a terminal, draws a bar with the amount, rate and extra values', () => {
    const out = recorder(true);
    const bar = createProgressBar({ total: 2_000_000, label: 'f.gz', unit: 'bytes', stream: out.stream });
    bar.update(1_000_000, { mirror: 'a' });
    bar.stop();
    assert.match(out.text(), /f\.gz \[[^\]]+\] 50% \| 1\.0 MB\/2\.0 MB \| .* \| ETA .* \| mirror a/);
  });
});
