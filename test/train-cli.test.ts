import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../lib/backend';
import { loadCheckpoint } from '../lib/train/checkpoint';
import { parseTrainArgs } from '../lib/cli/train-args';
import { runTrain } from '../lib/cli/train';
import { loadDataset } from '../lib/data';
import { classify } from '../lib/model/evaluate';
import { disposeNetwork } from '../lib/model/network';

describe('npm run train: flags', () => {
  it('defaults to the original run_bnn.py (CIFAR-10, paper network, 500 epochs)', () => {
    const c = parseTrainArgs([]);
    assert.equal(c.dataset, 'cifar10');
    assert.deepEqual(c.architecture.conv, [128, 128, 256, 256, 512, 512]);
    assert.deepEqual(c.architecture.maxPool, [false, true, false, true, false, true]);
    assert.deepEqual(c.architecture.fc, [1024, 1024]);
    assert.deepEqual(c.training, { epochs: 500, batchSize: 50, lrStart: 1e-3, lrEnd: 3e-7, loss: 'hinge', checkpointEvery: 10, seed: 0 });
    assert.equal(c.out, 'checkpoints/cifar10-custom-binary');
  });

  it('applies the quick profile, then explicit flags on top', () => {
    const c = parseTrainArgs(['--profile', 'quick', '--epochs', '1', '--conv', '16,32', '--max-pool', '1,0', '--mode', 'ternary', '--loss-mode', 'hinge-loss']);
    assert.equal(c.dataset, 'fashion-mnist');
    assert.deepEqual(c.architecture.conv, [16, 32]);
    assert.deepEqual(c.architecture.maxPool, [true, false]);
    assert.deepEqual(c.architecture.fc, [256]);
    assert.equal(c.architecture.levels, 3);
    assert.equal(c.architecture.threshold, 0.02);
    assert.equal(c.training.epochs, 1);
    assert.equal(c.training.loss, 'hinge');
    assert.equal(c.out, 'checkpoints/fashion-mnist-quick-ternary');
    assert.equal(parseTrainArgs(['--debug']).limit, 100);
    assert.equal(parseTrainArgs(['--continuous']).architecture.continuous, true);
  });

  it('explains bad flags', () => {
    assert.throws(() => parseTrainArgs(['--dataset', 'imagenet']), /Unknown dataset 'imagenet'; use one of: mnist, fashion-mnist, cifar10/);
    assert.throws(() => parseTrainArgs(['--profile', 'huge']), /Unknown profile 'huge'; use one of: quick, paper/);
    assert.throws(() => parseTrainArgs(['--conv', '32,x']), /--conv takes comma-separated whole numbers, e\.g\. --conv 32,64,128; got '32,x'/);
    assert.throws(() => parseTrainArgs(['--epochs', '2.5']), /--epochs takes a whole number; got '2\.5'/);
    assert.throws(() => parseTrainArgs(['--loss-mode', 'l2']), /--loss-mode must be one of: hinge, softmax; got 'l2'/);
    assert.throws(() => parseTrainArgs(['--mode', 'quaternary']), /Unknown mode 'quaternary'; use one of: binary, ternary, continuous/);
    assert.throws(() => parseTrainArgs(['--bogus']), /Unknown option '--bogus'/);
    // Accepted silently before: an empty layer, pool flags other than 0/1, hexadecimal, a zero or doubled limit.
    assert.throws(() => parseTrainArgs(['--conv', '32,,64']), /--conv takes comma-separated whole numbers, e\.g\. --conv 32,64,128; got '32,,64'/);
    assert.throws(() => parseTrainArgs(['--max-pool', '2,7,0']), /--max-pool takes 0 or 1 for each layer; got '2,7,0'/);
    assert.throws(() => parseTrainArgs(['--epochs', '0x1']), /--epochs takes a whole number; got '0x1'/);
    assert.throws(() => parseTrainArgs(['--lr-start', 'Infinity']), /--lr-start takes a number; got 'Infinity'/);
    assert.throws(() => parseTrainArgs(['--debug', '--limit', '0']), /--debug means --limit 100: give one of them, not both\./);
    assert.throws(() => parseTrainArgs(['--limit', '0']), /--limit takes the number of images to keep of each split, at least 1; got 0\./);
    assert.equal(parseTrainArgs(['--lr-start', '3e-3']).training.lrStart, 0.003);
  });
});

const FASHION = '/usr/share/datasets/fashion-mnist';

describe('npm run train: end to end on Fashion-MNIST', function () {
  before(function () {
    if (!fs.existsSync(FASHION)) this.skip(); // CI installs dataset-fashion-mnist
    return initBackend();
  });

  it('trains one epoch on a subset, writes a checkpoint that loads and scores above chance', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-train-'));
    const lines: string[] = [];
    const cmd = parseTrainArgs(['--profile', 'quick', '--conv', '16,32', '--max-pool', '1,1', '--fc', '64', '--limit', '1000', '--epochs', '1', '--out', out]);
    const outcome = await runTrain(cmd, (l) => lines.push(l));
    assert.match(lines[0], /^backend: /);
    assert.ok(lines.some((l) => /^epoch 1\/1 .*validation loss/.test(l)), lines.join('\n'));
    assert.match(lines[lines.length - 1], /^test accuracy \d+\.\d\d%$/);
    assert.ok(outcome.testAccuracy > 0.3, `test accuracy ${outcome.testAccuracy} should be far above chance (0.1)`);
    const ck = loadCheckpoint(out);
    assert.equal(ck.epoch, 1);
    const data = await loadDataset('fashion-mnist', { limit: 1000 });
    const correct = classify(ck.net, data.test);
    assert.equal(correct.reduce((a, b) => a + b, 0) / correct.length, outcome.testAccuracy);
    disposeNetwork(ck.net);
  });
});
