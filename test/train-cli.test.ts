import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../lib/backend';
import * as tf from '@tensorflow/tfjs';
import { loadCheckpoint, readCheckpointInfo } from '../lib/train/checkpoint';
import { parseTrainArgs, trainPlan } from '../lib/cli/train-args';
import { runTrain } from '../lib/cli/train';
import { loadDataset } from '../lib/data';
import { packageRoot } from '../lib/util/package-root';
import { classify, evaluate } from '../lib/model/evaluate';
import { lockFileOf } from '../lib/util/lock';
import { disposeNetwork } from '../lib/model/network';
import { syntheticDataset } from './support/synthetic';

const plan = (argv: string[]) => trainPlan(parseTrainArgs(argv));
const checkpoints = (name: string) => path.join(packageRoot(), 'checkpoints', name);

describe('npm run train: flags', () => {
  it('defaults to the original run_bnn.py (CIFAR-10, paper network, 500 epochs)', () => {
    const c = plan([]);
    assert.equal(c.dataset, 'cifar10');
    assert.deepEqual(c.architecture.conv, [128, 128, 256, 256, 512, 512]);
    assert.deepEqual(c.architecture.maxPool, [false, true, false, true, false, true]);
    assert.deepEqual(c.architecture.fc, [1024, 1024]);
    assert.deepEqual(c.training, { epochs: 500, batchSize: 50, lrStart: 1e-3, lrEnd: 3e-7, lrSchedule: 'exponential', loss: 'hinge', checkpointEvery: 10, seed: 0 });
    assert.equal(c.checkpointDir, checkpoints('cifar10-custom-binary'));
  });

  it('applies the quick profile, then explicit flags on top', () => {
    const c = plan(['--profile', 'quick', '--epochs', '1', '--conv', '16,32', '--max-pool', '1,0', '--mode', 'ternary', '--loss-mode', 'hinge-loss']);
    assert.equal(c.dataset, 'fashion-mnist');
    assert.deepEqual(c.architecture.conv, [16, 32]);
    assert.deepEqual(c.architecture.maxPool, [true, false]);
    assert.deepEqual(c.architecture.fc, [256]);
    assert.equal(c.architecture.levels, 3);
    assert.equal(c.architecture.threshold, 0.02);
    assert.equal(c.training.epochs, 1);
    assert.equal(c.training.loss, 'hinge');
    assert.deepEqual([c.training.lrSchedule, c.training.lrEnd], ['exponential', 3e-4], "the ternary network's own recipe");
    assert.equal(plan(['--profile', 'quick']).training.lrSchedule, 'cosine');
    assert.equal(plan(['--profile', 'quick', '--lr-schedule', 'exponential']).training.lrSchedule, 'exponential');
    assert.equal(c.checkpointDir, checkpoints('fashion-mnist-quick-ternary-conv16.32-pool1.0-epochs1'));
    assert.equal(plan(['--debug']).limit, 100);
    assert.equal(plan(['--continuous']).architecture.continuous, true);
  });

  it('names the folder after the run: a smoke run never writes where the figures read the full one', () => {
    assert.equal(plan(['--profile', 'quick']).checkpointDir, checkpoints('fashion-mnist-quick-binary'));
    assert.equal(plan(['--profile', 'quick', '--epochs', '5', '--seed', '0']).checkpointDir, checkpoints('fashion-mnist-quick-binary'));
    assert.equal(plan(['--profile', 'quick', '--limit', '200', '--epochs', '3']).checkpointDir, checkpoints('fashion-mnist-quick-binary-epochs3-limit200'));
    assert.equal(plan(['--profile', 'quick', '--fc', '64', '--lr-start', '0.01', '--seed', '2']).name, 'fashion-mnist-quick-binary-fc64-lr0.01-seed2');
    assert.equal(plan(['--profile', 'quick', '--lr-end', '3e-4', '--lr-schedule', 'exponential']).name, 'fashion-mnist-quick-binary-lrend0.0003-exponential');
    assert.equal(plan(['--profile', 'paper', '--lr-schedule', 'cosine']).name, 'cifar10-paper-binary-cosine');
    assert.equal(plan(['--profile', 'quick', '--dataset', 'mnist', '--mode', 'ternary', '--threshold', '0.05']).name, 'mnist-quick-ternary-t0.05');
    assert.equal(plan(['--profile', 'paper', '--continuous', '--ckpt-n', '5']).name, 'cifar10-paper-continuous');
    assert.equal(plan(['--profile', 'quick', '--out', 'somewhere']).checkpointDir, path.resolve('somewhere'));
  });

  it('explains bad flags', () => {
    assert.throws(() => parseTrainArgs(['--dataset', 'imagenet']), /Unknown dataset 'imagenet'; use one of: mnist, fashion-mnist, cifar10/);
    assert.throws(() => parseTrainArgs(['--profile', 'huge']), /Unknown profile 'huge'; use one of: quick, paper/);
    assert.throws(() => parseTrainArgs(['--conv', '32,x']), /--conv takes comma-separated whole numbers, e\.g\. --conv 32,64,128; got '32,x'/);
    assert.throws(() => parseTrainArgs(['--epochs', '2.5']), /--epochs takes a whole number; got '2\.5'/);
    assert.throws(() => parseTrainArgs(['--loss-mode', 'l2']), /--loss-mode must be one of: hinge, softmax; got 'l2'/);
    assert.throws(() => parseTrainArgs(['--lr-schedule', 'linear']), /--lr-schedule must be one of: exponential, cosine; got 'linear'/);
    assert.throws(() => parseTrainArgs(['--mode', 'quaternary']), /Unknown mode 'quaternary'; use one of: binary, ternary, continuous/);
    assert.throws(() => parseTrainArgs(['--bogus']), /Unknown option '--bogus'/);
    // Accepted silently before: an empty layer, pool flags other than 0/1, hexadecimal, a zero or doubled limit.
    assert.throws(() => parseTrainArgs(['--conv', '32,,64']), /--conv takes comma-separated whole numbers, e\.g\. --conv 32,64,128; got '32,,64'/);
    assert.throws(() => parseTrainArgs(['--max-pool', '2,7,0']), /--max-pool takes 0 or 1 for each layer; got '2,7,0'/);
    assert.throws(() => parseTrainArgs(['--epochs', '0x1']), /--epochs takes a whole number; got '0x1'/);
    assert.throws(() => parseTrainArgs(['--lr-start', 'Infinity']), /--lr-start takes a number; got 'Infinity'/);
    assert.throws(() => parseTrainArgs(['--debug', '--limit', '0']), /--debug means --limit 100: give one of them, not both\./);
    assert.throws(() => parseTrainArgs(['--limit', '0']), /--limit takes the number of images to keep of each split, at least 1; got 0\./);
    assert.equal(plan(['--lr-start', '3e-3']).training.lrStart, 0.003);
    // A subset lowers the profile's batch to limit/10; an explicit batch size stays, and is named.
    assert.equal(plan(['--profile', 'quick', '--limit', '200']).training.batchSize, 20);
    const explicit = plan(['--profile', 'quick', '--limit', '200', '--batch-size', '100']);
    assert.equal(explicit.training.batchSize, 100);
    assert.equal(path.basename(explicit.checkpointDir), 'fashion-mnist-quick-binary-batch100-limit200');
    const ternary = plan(['--profile', 'quick', '--mode', 'ternary', '--batch-size', '200']);
    assert.equal(path.basename(ternary.checkpointDir), 'fashion-mnist-quick-ternary-batch200');
    assert.equal(plan(['--profile', 'quick', '--mode', 'ternary']).training.lrStart, 3e-3);
    assert.throws(() => parseTrainArgs(['--overwrite', '--param-file', 'x']), /--overwrite starts a new run over a checkpoint, --param-file continues one: give one of them\./);
    // Accepted silently before: a seed that wraps to another, a count past 2^53, a contradictory mode.
    assert.throws(() => parseTrainArgs(['--seed', '4294967296']), /--seed takes a whole number from 0 to 4294967295 \(seeds are 32-bit\); got '4294967296'\./);
    assert.equal(plan(['--seed', '4294967295']).training.seed, 4294967295);
    assert.throws(() => parseTrainArgs(['--epochs', '100000000000000000000000']), /--epochs takes a whole number up to 9007199254740991; got/);
    assert.throws(() => parseTrainArgs(['--lr-start', '1e400']), /--lr-start takes a finite number; got '1e400'\./);
    assert.throws(() => parseTrainArgs(['--mode', 'binary', '--continuous']), /--continuous trains a full-precision network; --mode binary asks for a quantized one: give one of them\./);
    assert.equal(plan(['--mode', 'continuous', '--continuous']).architecture.continuous, true);
  });
});

describe('npm run train: resume continues the same run exactly; nothing is overwritten silently', function () {
  this.timeout(120000);
  const data = syntheticDataset();
  const loadData = () => Promise.resolve(data);
  const quiet = () => undefined;
  const flags = ['--dataset', 'mnist', '--conv', '4', '--max-pool', '1', '--fc', '8', '--epochs', '2', '--batch-size', '10',
    '--lr-start', '0.01', '--lr-end', '0.001', '--lr-schedule', 'cosine', '--seed', '3', '--ckpt-n', '1'];
  const folders: string[] = [];
  const tmp = () => {
    folders.push(fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-train-cli-')));
    return folders[folders.length - 1];
  };
  const weightsFile = (dir: string) => fs.readFileSync(path.join(dir, (JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { weightsFile: string }).weightsFile));
  let straight: string;
  let resumed: string;
  before(async () => {
    await initBackend();
    straight = tmp();
    resumed = tmp();
  });
  after(() => folders.forEach((f) => fs.rmSync(f, { recursive: true, force: true })));

  it('--param-file takes the options and folder from the checkpoint and ends with the weights of an uninterrupted run', async () => {
    const tensors = tf.memory().numTensors;
    await runTrain(parseTrainArgs([...flags, '--out', straight]), quiet, { loadData });
    const crash = (line: string) => {
      if (line.startsWith('checkpoint (epoch 1)')) throw new Error('killed after the epoch-1 checkpoint');
    };
    await assert.rejects(runTrain(parseTrainArgs([...flags, '--out', resumed]), crash, { loadData }), /killed after the epoch-1 checkpoint/);
    assert.equal(readCheckpointInfo(resumed).epoch, 1);
    const lines: string[] = [];
    await runTrain(parseTrainArgs(['--param-file', resumed]), (l) => lines.push(l), { loadData });
    assert.ok(lines.includes(`resuming ${resumed} at epoch 1 of 2`), lines.join('\n'));
    // Halfway along the cosine from 0.01 to 0.001, (0.01 + 0.001)/2, not the paper's rate: the rates after a resume are the run's.
    assert.ok(lines.some((l) => /^epoch 2\/2 {2}lr 5\.50e-3 /.test(l)), lines.join('\n'));
    const [a, b] = [readCheckpointInfo(straight), readCheckpointInfo(resumed)];
    assert.equal(b.epoch, 2);
    assert.deepEqual(b.training, a.training);
    assert.deepEqual(b.run, { profile: 'custom', dataset: 'mnist' });
    assert.deepEqual(b.history.map((h) => [h.trainLoss, h.validationLoss]), a.history.map((h) => [h.trainLoss, h.validationLoss]));
    assert.ok(weightsFile(resumed).equals(weightsFile(straight)), 'weights, batch-norm statistics and Adam state differ from the uninterrupted run');
    assert.equal(tf.memory().numTensors, tensors);
  });

  it('a resume refuses flags that contradict the checkpoint, except --epochs to extend it', async () => {
    assert.throws(() => plan(['--param-file', resumed, '--lr-start', '0.5', '--conv', '8']), new RegExp(
      `^Error: Checkpoint ${resumed} was trained with other settings: --conv \\[8\\] \\(checkpoint: \\[4\\]\\), --lr-start 0\\.5 \\(checkpoint: 0\\.01\\)\\. ` +
        'A resumed run keeps them \\(only the epochs may grow, to extend it\\): drop those settings, or start a new run in another folder\\.$'));
    assert.throws(() => plan(['--param-file', resumed, '--out', straight]), /A resumed run continues in its own folder/);
    assert.throws(() => plan(['--param-file', resumed, '--epochs', '1']), /has trained 2 epochs already; epochs = 1 would shorten it/);
    assert.equal(plan(['--param-file', resumed, '--dataset', 'mnist', '--lr-start', '0.01', '--conv', '4']).checkpointDir, resumed);
    const lines: string[] = [];
    await runTrain(parseTrainArgs(['--param-file', resumed, '--epochs', '3']), (l) => lines.push(l), { loadData });
    assert.deepEqual(readCheckpointInfo(resumed).history.map((h) => h.epoch), [1, 2, 3]);
    assert.equal(readCheckpointInfo(resumed).training?.epochs, 3);
  });

  it('a new run refuses a folder holding a checkpoint, naming it and the choices; --overwrite replaces it', async () => {
    const before = weightsFile(straight);
    const choices = `Resume it with --param-file ${straight}, choose another --out, or pass --overwrite to replace it.`;
    await assert.rejects(runTrain(parseTrainArgs([...flags, '--out', straight]), quiet, { loadData }),
      { message: `${straight} already holds a checkpoint (epoch 2 of 2 of this run, complete). ${choices}` });
    await assert.rejects(runTrain(parseTrainArgs([...flags, '--epochs', '1', '--limit', '30', '--out', straight]), quiet, { loadData }),
      { message: `${straight} already holds a checkpoint (epoch 2 of 2 of another run: --limit 30 (checkpoint: all), --epochs 1 (checkpoint: 2)). ${choices}` });
    assert.ok(weightsFile(straight).equals(before), 'a refused run must leave the checkpoint untouched');
    const lines: string[] = [];
    await runTrain(parseTrainArgs([...flags, '--epochs', '1', '--out', straight, '--overwrite']), (l) => lines.push(l), { loadData });
    assert.ok(lines.includes(`replacing the checkpoint in ${straight} (epoch 2 of 2 of another run: --epochs 1 (checkpoint: 2)) at this run's first checkpoint`), lines.join('\n'));
    assert.equal(readCheckpointInfo(straight).epoch, 1);
  });

  it('refuses an empty --out, a folder of the user\'s, and a folder another running process trains into', async () => {
    assert.throws(() => parseTrainArgs([...flags, '--out', '']), /^Error: --out is empty: name a path/);
    const mine = tmp();
    fs.writeFileSync(path.join(mine, 'thesis.txt'), 'years of work');
    await assert.rejects(runTrain(parseTrainArgs([...flags, '--out', mine]), quiet, { loadData }),
      { message: `The checkpoint folder ${mine} holds files this project did not write (thesis.txt), which it would replace or mix with its own. ` +
        'Name a new or empty folder, or one this project wrote before.' });
    assert.deepEqual(fs.readdirSync(mine), ['thesis.txt']);
    const fresh = path.join(tmp(), 'new-run');
    await assert.rejects(runTrain(parseTrainArgs([...flags, '--out', fresh]), quiet, { loadData: () => Promise.reject(new Error('no data here')) }), /no data here/);
    assert.equal(fs.existsSync(fresh), false, 'a run that failed before saving left its new folder behind');

    const busy = path.join(tmp(), 'run');
    const other = spawn('sleep', ['60']);
    fs.writeFileSync(lockFileOf(busy), JSON.stringify({ pid: other.pid, command: 'train.ts --profile quick', since: '2026-12-06T08:00:00.000Z' }));
    try {
      await assert.rejects(runTrain(parseTrainArgs([...flags, '--out', busy]), quiet, { loadData }),
        new RegExp(`^Error: ${busy} is being written by process ${other.pid} \\(train\\.ts --profile quick, since 2026-12-06T08:00:00\\.000Z\\)\\. Wait for it`));
      assert.equal(fs.existsSync(path.join(busy, 'manifest.json')), false, 'the refused run wrote a checkpoint');
    } finally {
      other.kill();
    }
    await once(other, 'exit');
    // Its owner gone, the lock is taken over; the run releases it when it ends.
    await runTrain(parseTrainArgs([...flags, '--epochs', '1', '--out', busy]), quiet, { loadData });
    assert.equal(readCheckpointInfo(busy).epoch, 1);
    assert.equal(fs.existsSync(lockFileOf(busy)), false, 'the lock outlived the run');
  });

  it('after Ctrl-C reports the accuracy of the kept checkpoint, not of the unsaved network in memory', async () => {
    const dir = tmp();
    const lines: string[] = [];
    const interruptAfterFirstCheckpoint = (line: string) => {
      lines.push(line);
      if (line.startsWith('checkpoint (epoch 1)')) process.emit('SIGINT');
    };
    const outcome = await runTrain(parseTrainArgs([...flags, '--out', dir]), interruptAfterFirstCheckpoint, { loadData });
    assert.equal(outcome.stopped, true);
    assert.equal(readCheckpointInfo(dir).epoch, 1);
    assert.match(lines[lines.length - 1], new RegExp(`^test accuracy \\d+\\.\\d\\d% of the kept checkpoint \\(epoch 1 in ${dir}; stopped early\\)$`));
    const kept = loadCheckpoint(dir);
    try {
      assert.equal(outcome.testAccuracy, evaluate(kept.net, data.test, plan([...flags]).loss).accuracy);
    } finally {
      disposeNetwork(kept.net);
      kept.optimizer?.forEach((o) => o.tensor.dispose());
    }
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
    assert.equal(lines[1], `data: fashion-mnist, 1000 train / 1000 validation / 1000 test images, from ${FASHION}`);
    assert.ok(lines.some((l) => /^epoch 1\/1 .*validation loss/.test(l)), lines.join('\n'));
    const geometry = lines.find((l) => l.startsWith('  geometry: '));
    assert.match(geometry ?? lines.join('\n'), /^ {2}geometry: conv1 ∠ \d+\.\d° flip \d+\.\d%, conv2 ∠ \d+\.\d° flip \d+\.\d% · kurtosis \d\.\d\d \d\.\d\d · clipped \d+\.\d% \d+\.\d%$/);
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
