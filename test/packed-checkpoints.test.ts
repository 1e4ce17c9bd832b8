/**
 * The Fashion-MNIST quick networks trained here (npm run train -- --profile quick --mode binary|ternary,
 * into checkpoints/, which git ignores): packed, on real test images, every engine and instruction
 * set gives the float network's logits bit for bit, and every layer's values equal. Skipped, naming
 * the command, where a checkpoint or the dataset is absent.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '../lib/backend';
import { loadDataset } from '../lib/data';
import { disposeNetwork } from '../lib/model/network';
import { compareLayerBits, compareLogits } from '../lib/packed/compare';
import { packNetwork } from '../lib/packed/pack';
import { referenceEngine } from '../lib/packed/reference';
import { loadCheckpoint } from '../lib/train/checkpoint';
import { packageRoot } from '../lib/util/package-root';
import { assertEnginesMatch } from './support/packed-engines';

const IMAGES = 500;

describe('packed quick networks on Fashion-MNIST test images', function () {
  this.timeout(600000);
  before(() => initBackend());

  (['binary', 'ternary'] as const).forEach((mode) => {
    it(`${mode}: every engine's logits, the reference's and the float network's are bit-identical, and so is every layer's output`, async function () {
      const dir = path.join(packageRoot(), 'checkpoints', `fashion-mnist-quick-${mode}`);
      if (!fs.existsSync(path.join(dir, 'manifest.json'))) {
        console.log(`      no ${dir}: npm run train -- --profile quick --mode ${mode} trains it`);
        this.skip();
      }
      let test;
      try {
        test = (await loadDataset('fashion-mnist', { limit: IMAGES })).test;
      } catch (err) {
        console.log(`      Fashion-MNIST is not here (${(err as Error).message})`);
        this.skip();
      }
      const ck = loadCheckpoint(dir);
      try {
        const model = packNetwork(ck.net);
        const r = await compareLogits(ck.net, referenceEngine(model), test);
        assert.equal(r.logitDifferences, 0);
        assert.equal(r.predictionDifferences, 0);
        assert.ok(r.floatAccuracy > 0.8, `float accuracy ${r.floatAccuracy}`);
        for (const layer of compareLayerBits(ck.net, model, test)) assert.equal(layer.differ, 0, `${layer.name}: ${layer.differ} of ${layer.bits} values differ`);
        const expected = await referenceEngine(model).logits(test.images, test.count);
        const ran = await assertEnginesMatch(model, test.images, test.count, expected, [2], assert.fail);
        console.log(`      ${test.count} images, exact on: ${ran.join('; ')}`);
      } finally {
        disposeNetwork(ck.net);
      }
    });
  });
});
