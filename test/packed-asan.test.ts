/**
 * The native kernels under AddressSanitizer: built with -fsanitize=address and run, in a Node started
 * with libasan preloaded, on every instruction set this CPU has, over a corpus of packed files: the
 * committed test/fixtures/packed-corpus/ (binary and ternary models and mutations of them that pass
 * validation) and, from a seeded generator, valid models of several shapes and their accepted header
 * mutations, and the training step's binary conv on sizes that reach every border: no out-of-bounds
 * access. A plan run without its checks (test/support/asan-overflow.cc)
 * is caught, which shows the harness would see one.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../lib/backend';
import { ArchitectureOptions, makeConfig } from '../lib/model/config';
import { createNetwork, disposeNetwork } from '../lib/model/network';
import { deserializePacked, serializePacked } from '../lib/packed/format';
import { SANITIZE_ENV_VAR } from '../lib/packed/native';
import { planAbiCpp } from '../lib/packed/plan-abi';
import { packNetwork } from '../lib/packed/pack';
import { createRng } from '../lib/stats/random';
import { mutatePacked } from './support/packed-mutations';

const ROOT = path.resolve(__dirname, '..');
const ARCHITECTURES: Omit<ArchitectureOptions, 'classes'>[] = [
  { inputShape: [8, 8, 1], conv: [8, 70], maxPool: [true, true], fc: [32] },
  { inputShape: [7, 5, 3], conv: [5, 70], maxPool: [true, false], fc: [33] },
  { inputShape: [6, 6, 2], conv: [64, 65, 130], maxPool: [false, true, true], fc: [] },
  { inputShape: [5, 4, 1], conv: [3, 7], maxPool: [true, true], fc: [10], filterSize: 5 },
  { inputShape: [7, 5, 3], conv: [5, 70], maxPool: [true, false], fc: [33], levels: 3, threshold: 0.02 },
  { inputShape: [6, 6, 2], conv: [64, 65, 130], maxPool: [false, true, true], fc: [], levels: 3, threshold: 0.02 },
];

/** libasan for LD_PRELOAD, from the compiler that builds the addon; undefined without one. */
function libasan(): string | undefined {
  const run = spawnSync(process.env.CXX || 'g++', ['-print-file-name=libasan.so'], { encoding: 'utf8' });
  const file = run.status === 0 ? run.stdout.trim() : '';
  return path.isAbsolute(file) && fs.existsSync(file) ? file : undefined;
}

describe('native packed kernels under AddressSanitizer', function () {
  this.timeout(10 * 60 * 1000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-asan-'));
  const files: string[] = [];
  let asan: string | undefined;
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const runChild = (args: string[]) => spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'test', 'support', 'asan-child.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, LD_PRELOAD: asan, ASAN_OPTIONS: 'detect_leaks=0', [SANITIZE_ENV_VAR]: 'address', BNN_PACKED_NATIVE: '1' },
  });

  before(async function () {
    asan = libasan();
    if (spawnSync(process.env.CXX || 'g++', ['--version']).status !== 0) this.skip(); // no compiler: no native kernels to check
    assert.ok(asan, 'g++ is here but its libasan.so is not: apt-get install libasan8 (or the libasan of your gcc)');
    await initBackend();
    const committed = path.join(ROOT, 'test', 'fixtures', 'packed-corpus');
    files.push(...fs.readdirSync(committed).filter((f) => f.endsWith('.bnnp')).sort().map((f) => path.join(committed, f)));
    const rng = createRng(19);
    ARCHITECTURES.forEach((arch, a) => {
      const net = createNetwork(makeConfig({ classes: 3, ...arch }), a);
      const bytes = serializePacked(packNetwork(net));
      disposeNetwork(net);
      fs.writeFileSync(path.join(dir, `model${a}.bnnp`), bytes);
      files.push(path.join(dir, `model${a}.bnnp`));
      // Mutations the structural checks accept (the checksum removed, as in older files) must be safe to run too.
      for (let i = 0; i < 40; i++) {
        const m = mutatePacked(bytes, rng, false);
        try {
          deserializePacked(m.withoutChecksum);
        } catch {
          continue; // refused: never reaches a kernel
        }
        const file = path.join(dir, `model${a}-mutation${i}.bnnp`);
        fs.writeFileSync(file, m.withoutChecksum);
        files.push(file);
      }
    });
  });

  it('runs every valid model, every accepted mutation and the binary conv with no out-of-bounds access', () => {
    assert.ok(files.length > ARCHITECTURES.length + 7, 'the corpus has no accepted mutation');
    const run = runChild(files);
    assert.doesNotMatch(run.stderr, /AddressSanitizer/, run.stderr);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`ran ${files.length} files on avx512, avx2, scalar|ran ${files.length} files on (avx2, )?scalar`));
    assert.match(run.stdout, /^ran 6 binary convs$/m);
  });

  it('the addon it ran is instrumented, and a plan run without its checks is caught', () => {
    const run = runChild(files.slice(0, 1));
    assert.equal(run.status, 0, run.stderr);
    const addon = /^addon (.*)$/m.exec(run.stdout)?.[1];
    assert.ok(addon, run.stdout);
    assert.ok(fs.readFileSync(addon).includes('__asan_report_load'), `${addon} is not built with AddressSanitizer (it calls no __asan_report_load)`);
    fs.writeFileSync(path.join(dir, 'plan_abi.h'), planAbiCpp());
    const exe = path.join(dir, 'asan-overflow');
    const sources = ['test/support/asan-overflow.cc', 'native/plan.cc', 'native/kernels-scalar.cc'].map((f) => path.join(ROOT, f));
    const build = spawnSync(process.env.CXX || 'g++', ['-std=c++17', '-O1', '-g', '-fno-omit-frame-pointer', '-fsanitize=address', `-I${dir}`, `-I${path.join(ROOT, 'native')}`, ...sources, '-o', exe], { encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    const overflow = spawnSync(exe, [], { encoding: 'utf8', env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=0' } });
    assert.match(overflow.stdout, /check: operation 0: weights \[0, \+256\) lies outside the constants/, 'checkPlan refuses the plan');
    assert.notEqual(overflow.status, 0);
    assert.match(overflow.stderr, /ERROR: AddressSanitizer: heap-buffer-overflow/);
  });
});
