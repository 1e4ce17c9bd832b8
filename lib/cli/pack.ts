/**
 * `npm run pack -- --checkpoint DIR --out FILE`: a trained binary or ternary network → a packed model
 * file (weights as bits, batch norm + activation as integer thresholds), with the sizes before and after.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { BackendName, initBackend } from '../backend';
import { disposeNetwork } from '../model/network';
import { packNetwork } from '../packed/pack';
import { checkPackedTarget, savePacked } from '../packed/format';
import { formatBinaryBytes } from '../display/format';
import { floatWeightBytes } from '../packed/sizes';
import { loadCheckpoint } from '../train/checkpoint';
import { ensureDir } from '../util/ensure-dir';
import { pathFlag } from './flag-values';
import { runCli } from './run-cli';

export const PACK_USAGE = `Pack a trained binary or ternary network for fast inference: weights as bits (ternary: two bit-planes),
batch norm and activation as integer thresholds.

Usage: npm run pack -- --checkpoint DIR --out FILE

  --checkpoint DIR   checkpoint folder of a binary or ternary network (npm run train -- --mode binary|ternary)
  --out FILE         packed model file to write (e.g. checkpoints/fashion-mnist-quick-binary.bnnp)
  --backend NAME     tensorflow | wasm | cpu: the backend that reads the checkpoint (default: as npm run train)
  -h, --help         this text

Then: npm run classify -- --model FILE --dataset NAME
`;

export interface PackCommand {
  checkpoint: string;
  out: string;
  backend?: string;
  help: boolean;
}

export function parsePackArgs(argv: string[]): PackCommand {
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    options: { checkpoint: { type: 'string' }, out: { type: 'string' }, backend: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (!v.help && !v.checkpoint) throw new Error('--checkpoint DIR is required (a folder written by npm run train).');
  if (!v.help && !v.out) throw new Error('--out FILE is required (where to write the packed model).');
  return { checkpoint: pathFlag('checkpoint', v.checkpoint) ?? '', out: pathFlag('out', v.out) ?? '', backend: v.backend, help: Boolean(v.help) };
}

export interface PackOutcome {
  file: string;
  packedBytes: number;
  floatBytes: number;
}

export async function runPack(cmd: PackCommand, log: (line: string) => void = console.log): Promise<PackOutcome> {
  if (!fs.existsSync(cmd.checkpoint)) throw new Error(`Checkpoint folder ${cmd.checkpoint} does not exist.`);
  checkPackedTarget(cmd.out);
  await initBackend(cmd.backend as BackendName | undefined);
  const ck = loadCheckpoint(cmd.checkpoint);
  try {
    const model = packNetwork(ck.net);
    ensureDir(path.dirname(path.resolve(cmd.out)));
    const packedBytes = savePacked(cmd.out, model, { checkpoint: cmd.checkpoint, epoch: ck.epoch });
    const floatBytes = floatWeightBytes(ck.config);
    log(`packed ${cmd.checkpoint} (epoch ${ck.epoch}) into ${cmd.out}`);
    log(`  float weights (W, β, moving mean and variance, float32): ${formatBinaryBytes(floatBytes)}`);
    log(`  packed model file:                                       ${formatBinaryBytes(packedBytes)} (${(floatBytes / packedBytes).toFixed(1)}x smaller)`);
    return { file: cmd.out, packedBytes, floatBytes };
  } finally {
    disposeNetwork(ck.net);
    ck.optimizer?.forEach((o) => o.tensor.dispose());
  }
}

/** Entry point of `npm run pack`. */
export function main(): Promise<void> {
  return runCli('pack', PACK_USAGE, parsePackArgs, (cmd) => runPack(cmd));
}
