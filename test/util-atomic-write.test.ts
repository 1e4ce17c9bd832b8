import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { removeStaleTemporaries, writeFileAtomic } from '../lib/util/atomic-write';

describe('atomic writes and their temporaries', () => {
  it('writes through a temporary that does not outlive the write', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-atomic-'));
    writeFileAtomic(path.join(dir, 'a.json'), '{"x":1}');
    assert.deepEqual(fs.readdirSync(dir), ['a.json']);
  });

  it('removes what killed writers left (checkpoint, download, extraction), keeps those of running processes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-stale-'));
    const dead = spawnSync(process.execPath, ['-e', '0']).pid; // has exited: its id names no running process
    const stale = [`.weights-epoch0003.bin.${dead}.1767000000000.tmp`, `train-images-idx3-ubyte.gz.${dead}.tmp`, `.cifar-10-batches-bin.${dead}.tmp`];
    const kept = [`.manifest.json.${process.pid}.1767000000000.tmp`, `t10k-labels-idx1-ubyte.gz.${process.ppid}.tmp`, 'manifest.json', 'notes.tmp'];
    for (const name of [...stale, ...kept]) fs.writeFileSync(path.join(dir, name), '');
    fs.rmSync(path.join(dir, stale[2]));
    fs.mkdirSync(path.join(dir, stale[2])); // an interrupted extraction is a folder
    fs.writeFileSync(path.join(dir, stale[2], 'data_batch_1.bin'), 'partial');
    removeStaleTemporaries(dir);
    assert.deepEqual(fs.readdirSync(dir).sort(), [...kept].sort());
  });
});
