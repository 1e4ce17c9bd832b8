/** SHA-256 of bytes, as lowercase hex: dataset files, checkpoint weights, packed models, pinned requirements. */
import { createHash } from 'node:crypto';

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
