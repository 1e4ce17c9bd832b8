import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../lib/backend';
import { PackedModel, isConv } from '../lib/packed/model';
import { ISAS, ISA_ENV_VAR, Isa, chooseIsa, compileNative, loadNative, nativeEngine } from '../lib/packed/native';
import { openEngine } from '../lib/packed/open';
import { buildPlan, encodePlan } from '../lib/packed/plan';
import { HEADER_FIELDS, OP_FIELDS } from '../lib/packed/plan-abi';
import { runReference } from '../lib/packed/reference';
import { assertEnginesMatch, nativeExpected, nativeIsas } from './support/packed-engines';
import { packRandom } from './support/packed-networks';
import { randomImages } from './support/synthetic';

/** The instruction sets /proc/cpuinfo says this CPU has (Linux), as the addon names them. */
function cpuinfoIsas(): Isa[] | undefined {
  if (!fs.existsSync('/proc/cpuinfo')) return undefined;
  const flags = new Set((/^flags\s*:(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '').trim().split(/\s+/));
  const has = (...names: string[]) => names.every((n) => flags.has(n));
  return ISAS.filter((isa) => isa === 'scalar' || (isa === 'avx2' ? has('avx2', 'fma', 'popcnt') : has('avx512f', 'avx512vl', 'avx512bw', 'avx512dq', 'avx512_vpopcntdq')));
}

describe('native packed kernels', () => {
  let model: PackedModel;
  before(async () => {
    await initBackend();
    model = packRandom({ inputShape: [9, 7, 2], classes: 4, conv: [12, 40, 70], maxPool: [true, false, true], fc: [50] }, 5);
  });

  it('are built where g++ is installed, and run every instruction set the CPU has (names which ran)', function () {
    const isas = nativeIsas(); // throws where g++ is here but the build failed
    if (!nativeExpected()) {
      console.log(`      no C++ compiler on ${process.arch}: the native kernels are not built; wasm and reference run`);
      this.skip();
    }
    console.log(`      native instruction sets run by the exactness tests: ${isas.join(', ')}`);
    const expected = cpuinfoIsas();
    if (expected) assert.deepEqual(isas, expected, 'the addon and /proc/cpuinfo disagree on what this CPU has');
    assert.equal(isas[isas.length - 1], 'scalar');
  });

  it('compile with -Wall -Wextra and no warnings', function () {
    if (!nativeExpected()) this.skip();
    this.timeout(180000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-native-'));
    try {
      const built = compileNative(path.join(dir, 'packed.node'));
      assert.ok(!('missing' in built), 'missing' in built ? built.missing : '');
      assert.equal(built.warnings, '');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a forced instruction set the CPU lacks is an error naming what it has; an unknown one names the choices', () => {
    assert.throws(() => chooseIsa(['avx2', 'scalar'], 'avx512'), /^Error: native-avx512: this CPU lacks AVX-512 VPOPCNTDQ; it has avx2 \(AVX2\), scalar \(scalar\)\.$/);
    const saved = process.env[ISA_ENV_VAR];
    try {
      process.env[ISA_ENV_VAR] = 'avx512';
      assert.throws(() => chooseIsa(['scalar']), /BNN_PACKED_ISA=avx512: this CPU lacks AVX-512 VPOPCNTDQ; it has scalar \(scalar\)/);
      process.env[ISA_ENV_VAR] = 'sse';
      assert.throws(() => chooseIsa(['avx2', 'scalar']), /BNN_PACKED_ISA=sse: unknown instruction set; use one of avx512, avx2, scalar/);
      process.env[ISA_ENV_VAR] = 'scalar';
      assert.equal(chooseIsa(['avx2', 'scalar']), 'scalar');
      assert.equal(chooseIsa(['avx2', 'scalar'], 'avx2'), 'avx2', 'the flag wins over the environment');
      delete process.env[ISA_ENV_VAR];
      assert.equal(chooseIsa(['avx2', 'scalar']), 'avx2', 'the best by default');
    } finally {
      if (saved === undefined) delete process.env[ISA_ENV_VAR];
      else process.env[ISA_ENV_VAR] = saved;
    }
  });

  it('classify --kernels native-ISA runs that instruction set', async function () {
    const isas = nativeIsas();
    if (isas.length === 0) this.skip();
    const names: Record<Isa, RegExp> = { avx512: /^native AVX-512 VPOPCNTDQ, 1 thread$/, avx2: /^native AVX2, 1 thread$/, scalar: /^native scalar, 1 thread$/ };
    for (const isa of isas) {
      const engine = await openEngine(model, { kernels: `native-${isa}`, threads: 1 });
      assert.match(engine.description, names[isa]);
      await engine.close();
    }
  });

  it('runs off the event loop: timers fire while a batch is computed', async function () {
    if (nativeIsas().length === 0) this.skip();
    const engine = nativeEngine(model, { threads: 1, isa: 'scalar' });
    const data = randomImages(400, [9, 7, 2], 4, 1);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      const started = performance.now();
      const logits = await engine.logits(data.images, data.count);
      const ms = performance.now() - started;
      assert.ok(ms < 5 || ticks > 0, `no timer fired in the ${ms.toFixed(0)} ms the batch took: the event loop was blocked`);
      assert.deepEqual(logits, runReference(model, data.images, data.count));
    } finally {
      clearInterval(timer);
      await engine.close();
    }
  });

  it('refuses a plan it cannot trust, naming the problem, before any kernel runs', function () {
    const native = loadNative();
    if ('missing' in native) this.skip();
    const { Plan } = native.addon;
    const plan = buildPlan(model, 'portable');
    const header = encodePlan(plan);
    const op = (i: number, field: (typeof OP_FIELDS)[number]) => HEADER_FIELDS.length + i * OP_FIELDS.length + OP_FIELDS.indexOf(field);
    const edits: [string, (h: Int32Array) => Int32Array, RegExp][] = [
      ['version', (h) => h.map((v, i) => (i === 1 ? 99 : v)), /invalid plan: the plan is version 99 with \d+ fields per operation; these kernels read version 3/],
      ['truncated', (h) => h.subarray(0, h.length - 3), /the plan's length does not match its operation count/],
      ['weights outside', (h) => h.map((v, i) => (i === op(1, 'weights') ? plan.constants.length - 2 : v)), /operation 1: weights \[\d+, \+\d+\) lies outside the constants/],
      ['short weights', (h) => h.map((v, i) => (i === op(1, 'weightsWords') ? 3 : v)), /operation 1: weights has 3 words, needs \d+/],
      ['arena', (h) => h.map((v, i) => (i === op(2, 'dst') ? -8 : v)), /operation 2: dst \[-8, \+\d+\) lies outside the arena/],
      ['kernel', (h) => h.map((v, i) => (i === op(0, 'kernel') ? 7 : v)), /operation 0: kernel = 7 is outside \[0, 4\]/],
      ['cout', (h) => h.map((v, i) => (i === op(1, 'cout') ? 1 << 20 : v)), /operation 1: cout = 1048576 is outside \[1, 65536\]/],
    ];
    for (const [what, edit, message] of edits) assert.throws(() => new Plan(edit(header.slice()), plan.constants, 'scalar'), message, what);
    const classes = new Uint32Array(plan.constants);
    const conv2 = plan.ops[1];
    new Uint8Array(classes.buffer)[conv2.positionClass.offset * 4 + 5] = 200;
    assert.throws(() => new Plan(header, classes, 'scalar'), /operation 1: positionClass\[5\] = 200 names no class/);
    assert.throws(() => new Plan(header, plan.constants, 'avx2'), /the plan's weights are not in the layout of the AVX2 kernels/);
    assert.throws(() => new Plan(header, plan.constants, 'neon' as Isa), /unknown instruction set 'neon'/);
    assert.doesNotThrow(() => new Plan(header, plan.constants, 'scalar'));
    // The AVX2 and AVX-512 layouts: a window's words are the whole window's or (12 channels: one half per tap) the compact
    // one's, and the working space holds the windows their kernels gather (2, 4).
    const layouts = [['avx2', 'grouped4', 20], ['avx512', 'grouped8', 40]] as const;
    for (const [isa, layout, scratchWords] of layouts.filter(([isa]) => native.addon.isas.includes(isa))) {
      const grouped = buildPlan(model, layout);
      const groupedHeader = encodePlan(grouped);
      assert.equal(grouped.ops[1].inputWords, 10);
      const groupedEdits: [string, (h: Int32Array) => Int32Array, RegExp][] = [
        ['inputWords', (h) => h.map((v, i) => (i === op(1, 'inputWords') ? 12 : v)), /operation 1: inputWords = 12 is not the size of a window/],
        ['whole window', (h) => h.map((v, i) => (i === op(1, 'inputWords') ? 18 : v)), /operation 1: weights has 400 words, needs 720/],
        ['scratch', (h) => h.map((v, i) => (i === op(1, 'scratchWords') ? scratchWords - 1 : v)), new RegExp(`operation 1: scratch has ${scratchWords - 1} words, needs ${scratchWords}`)],
      ];
      for (const [what, edit, message] of groupedEdits) assert.throws(() => new Plan(edit(groupedHeader.slice()), grouped.constants, isa), message, `${isa}: ${what}`);
      assert.doesNotThrow(() => new Plan(groupedHeader, grouped.constants, isa));
    }
  });

  it('AVX2 and AVX-512 layouts: a conv window leaves out the 32-bit halves its channels leave empty, unless a binary one could count; every engine agrees', async () => {
    const data = randomImages(7, [6, 5, 2], 3, 3);
    for (const levels of [2, 3] as const) {
      const arch = { inputShape: [6, 5, 2] as [number, number, number], conv: [20, 90, 16], maxPool: [false, true, false], fc: [], ...(levels === 3 ? { levels, threshold: 0.3 } : {}) };
      // 64-bit words of a window per plane, the same in both layouts. 20 channels: one half per tap, 9 in 5 words (not 9); 90: 3 halves
      // per tap, 27 in 14 words (not 18).
      const words = (m: PackedModel) => {
        const [grouped4, grouped8] = (['grouped4', 'grouped8'] as const).map((layout) => buildPlan(m, layout).ops.slice(1, 3).map((o) => o.inputWords / 2 / (levels - 1)));
        assert.deepEqual(grouped8, grouped4);
        return grouped4;
      };
      const clean = packRandom(arch, 11);
      assert.deepEqual(words(clean), [5, 14]);
      const check = (m: PackedModel) => assertEnginesMatch(m, data.images, data.count, runReference(m, data.images, data.count), [1], assert.fail);
      await check(clean);
      // A set bit in an empty half: the first binary conv's weights (channel 3, tap 4), the second's input (the first's flip).
      const weights = structuredClone(clean);
      const conv2 = weights.layers[1];
      assert.ok(conv2.kind === 'binary-conv' || conv2.kind === 'ternary-conv');
      const at = (3 * 9 + 4) * 2 * (levels - 1); // its pixel words: [sign or bits, then non-zero][2 halves]
      conv2.weights[at + 1] |= 1 << 7;
      if (levels === 3) conv2.weights[at + 3] |= 1 << 9;
      const flip = structuredClone(clean);
      const conv2Flip = flip.layers[1];
      assert.ok(isConv(conv2Flip));
      conv2Flip.flip[3] |= 1 << 30; // channel 126 of 90
      // Binary: those windows stay whole (and the set bits count, as in the reference); ternary ones need not (zero non-zero plane).
      assert.deepEqual(words(weights), levels === 2 ? [9, 14] : [5, 14]);
      assert.deepEqual(words(flip), levels === 2 ? [5, 18] : [5, 14]);
      await check(weights);
      await check(flip);
    }
  });
});
