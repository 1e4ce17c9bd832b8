import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../lib/backend';
import { parseClassifyArgs, runClassify } from '../lib/cli/classify';
import { parsePackArgs, runPack } from '../lib/cli/pack';
import { makeConfig } from '../lib/model/config';
import { createNetwork, disposeNetwork } from '../lib/model/network';
import { saveCheckpoint } from '../lib/train/checkpoint';
import { loadPacked, serializePacked } from '../lib/packed/format';
import { packNetwork } from '../lib/packed/pack';
import { floatWeightBytes } from '../lib/packed/sizes';

const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-packed-cli-'));
const quiet = () => undefined;

describe('npm run pack / npm run classify', () => {
  before(() => initBackend());

  it('explain missing and bad flags', () => {
    assert.throws(() => parsePackArgs([]), /--checkpoint DIR is required/);
    assert.throws(() => parsePackArgs(['--checkpoint', 'x']), /--out FILE is required/);
    assert.throws(() => parseClassifyArgs(['--dataset', 'mnist']), /--model FILE is required/);
    assert.throws(() => parseClassifyArgs(['--model', 'm.bnnp']), /--dataset NAME is required/);
    assert.throws(() => parseClassifyArgs(['--model', 'm', '--dataset', 'imagenet']), /Unknown dataset 'imagenet'/);
    assert.throws(() => parseClassifyArgs(['--model', 'm', '--dataset', 'mnist', '--kernels', 'gpu']), /--kernels takes one of: auto, native, native-avx512, native-avx2, native-scalar, wasm, reference; got 'gpu'/);
    assert.throws(() => parseClassifyArgs(['--model', 'm', '--dataset', 'mnist', '--threads', '0']), /--threads takes a whole number ≥ 1/);
    assert.throws(() => parseClassifyArgs(['--model', 'm', '--dataset', 'mnist', '--threads', '64']), new RegExp(`--threads takes at most ${os.availableParallelism()}, the cores of this machine; got 64\\.`));
    assert.throws(() => parseClassifyArgs(['--model', 'm', '--dataset', 'mnist', '--layers']), /--layers compares with the float network: give --compare DIR too/);
    assert.equal(parsePackArgs(['-h']).help, true);
  });

  it('pack: a missing checkpoint and a continuous network get clear errors; a binary and a ternary one are packed', async () => {
    const dir = tmpDir();
    try {
      await assert.rejects(runPack({ checkpoint: path.join(dir, 'nothing'), out: path.join(dir, 'm.bnnp'), help: false }, quiet), /Checkpoint folder .*nothing does not exist/);
      fs.mkdirSync(path.join(dir, 'empty'));
      await assert.rejects(runPack({ checkpoint: path.join(dir, 'empty'), out: path.join(dir, 'm.bnnp'), help: false }, quiet), /No checkpoint at .*manifest\.json is missing/);
      const arch = { inputShape: [12, 12, 1] as [number, number, number], classes: 3, conv: [8, 16], maxPool: [true, true], fc: [32] };
      const cases: [string, Parameters<typeof makeConfig>[0], RegExp | undefined][] = [
        ['continuous', { ...arch, continuous: true }, /Cannot pack this network: it is continuous.*Packing supports binary and ternary networks/],
        ['ternary', { ...arch, levels: 3, threshold: 0.02 }, undefined],
        ['binary', arch, undefined],
      ];
      for (const [name, config, error] of cases) {
        const net = createNetwork(makeConfig(config), 0);
        await saveCheckpoint(path.join(dir, name), net, { epoch: 1, history: [] });
        disposeNetwork(net);
        const out = path.join(dir, `${name}.bnnp`);
        const run = runPack({ checkpoint: path.join(dir, name), out, help: false }, quiet);
        if (error) {
          await assert.rejects(run, error);
          assert.ok(!fs.existsSync(out));
        } else {
          const r = await run;
          assert.equal(r.packedBytes, fs.statSync(out).size);
          assert.ok(r.floatBytes / r.packedBytes > (name === 'ternary' ? 2 : 3), `${r.floatBytes} / ${r.packedBytes}`); // a tiny network: the header and float first layer weigh; ternary has two planes
          assert.deepEqual(loadPacked(out).model.layers.map((l) => l.kind), ['float-conv', `${name}-conv`, `${name}-dense`, 'output']);
        }
      }
      // --out replaces only a packed model: never the target of a link, a device, a folder or another file.
      const binary = { checkpoint: path.join(dir, 'binary'), help: false };
      fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
      fs.symlinkSync(path.join(dir, 'notes.txt'), path.join(dir, 'link.bnnp'));
      const refused: [string, RegExp][] = [
        [path.join(dir, 'link.bnnp'), /--out .*link\.bnnp is a symbolic link: name the file itself or a new one\./],
        ['/dev/null', /--out \/dev\/null is not a regular file \(a folder, device or socket\): name a new file\./],
        [path.join(dir, 'empty'), /--out .*empty is not a regular file/],
        [path.join(dir, 'notes.txt'), /--out .*notes\.txt holds a file that is not a packed model, which packing would replace: name a new file\./],
      ];
      for (const [out, why] of refused) await assert.rejects(runPack({ ...binary, out }, quiet), why);
      assert.equal(fs.readFileSync(path.join(dir, 'notes.txt'), 'utf8'), 'mine');
      assert.ok(fs.lstatSync(path.join(dir, 'link.bnnp')).isSymbolicLink());
      await runPack({ ...binary, out: path.join(dir, 'binary.bnnp') }, quiet); // an existing packed model is replaced
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the quick network packs ~30x smaller than its float weights', () => {
    const net = createNetwork(makeConfig({ inputShape: [28, 28, 1], classes: 10, conv: [32, 64, 128], maxPool: [true, true, false], fc: [256] }), 0);
    try {
      const ratio = floatWeightBytes(net.config) / serializePacked(packNetwork(net)).length;
      assert.ok(ratio > 29 && ratio < 32, `ratio ${ratio}`);
    } finally {
      disposeNetwork(net);
    }
  });

  it('classify: a missing model file and a model for other images get clear errors', async () => {
    const dir = tmpDir();
    try {
      const cmd = { model: path.join(dir, 'missing.bnnp'), dataset: 'fashion-mnist', batchSize: 500, kernels: 'auto' as const, layers: false, help: false, limit: 10 };
      await assert.rejects(runClassify(cmd, quiet), /No packed model at .*npm run pack/);
      fs.writeFileSync(path.join(dir, 'junk.bnnp'), 'not a model at all');
      await assert.rejects(runClassify({ ...cmd, model: path.join(dir, 'junk.bnnp') }, quiet), /not a packed model file/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
