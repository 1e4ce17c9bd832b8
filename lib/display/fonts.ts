/** Font files for rasterising SVG text (resvg draws no text without fonts, silently). */
import { existsSync, readdirSync } from 'fs';
import { join } from 'path';

/** Where Debian's fonts-dejavu-core puts DejaVu Sans, the font the chart theme asks for first. */
const DEJAVU_DIRECTORY = '/usr/share/fonts/truetype/dejavu';

/** The .ttf files under DEJAVU_DIRECTORY; throws naming the package to install when there are none. */
export function chartFontFiles(): string[] {
  const files = existsSync(DEJAVU_DIRECTORY)
    ? readdirSync(DEJAVU_DIRECTORY).filter((f) => f.endsWith('.ttf')).map((f) => join(DEJAVU_DIRECTORY, f))
    : [];
  if (files.length === 0) {
    throw new Error(
      `no fonts for PNG text: ${DEJAVU_DIRECTORY} has no .ttf files. Install them with ` +
        '`sudo apt-get install fonts-dejavu-core`, or pass fontFiles: [path to a .ttf] in the options',
    );
  }
  return files;
}
