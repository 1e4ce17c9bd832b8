/** Where this project is installed: paths inside it are resolved from there, not the working directory. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** This project's package name, which marks its root (and a checkout for the Jupyter kernel). */
export const PACKAGE_NAME = 'bnn-geometry';

/** The folder holding this project's package.json, found by walking up from this file. */
export function packageRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) {
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`Cannot find the ${PACKAGE_NAME} package root above ${__dirname}`);
  }
}
