import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureDir, ensureWritableDir } from '../lib/util/ensure-dir';

describe('output folders', () => {
  const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-dir-'));

  it('creates missing parents one level at a time, and accepts an existing folder', () => {
    const root = tmp();
    const dir = path.join(root, 'a', 'b', 'c');
    ensureDir(dir);
    assert.ok(fs.statSync(dir).isDirectory());
    ensureDir(dir);
    ensureWritableDir(dir);
    assert.deepEqual(fs.readdirSync(dir), [], 'the write probe is removed');
  });

  it('fails at once, naming the level, where Node 20 mkdirSync(recursive) never returns (/proc)', function () {
    if (!fs.existsSync('/proc/self')) this.skip();
    assert.throws(() => ensureDir('/proc/x/y'), {
      message: 'Cannot use /proc/x/y as an output folder: /proc/x cannot be created (ENOENT). Choose another folder.',
    });
  });

  it('names a file that stands where a folder should be', () => {
    const file = path.join(tmp(), 'f');
    fs.writeFileSync(file, 'keep me');
    assert.throws(() => ensureDir(file), { message: `Cannot use ${file} as an output folder: it is a file. Choose another folder.` });
    assert.throws(() => ensureWritableDir(path.join(file, 'sub')), {
      message: `Cannot use ${path.join(file, 'sub')} as an output folder: ${file} is a file. Choose another folder.`,
    });
    assert.equal(fs.readFileSync(file, 'utf8'), 'keep me');
  });
});
