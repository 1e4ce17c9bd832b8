/** Strict values for command-line flags: numbers (Number() alone would take '0x1', ' ', '2.5' for a count, and 'Infinity'), lists, choices and paths. */

const WHOLE = /^\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** `text` as a whole number (integer) or a decimal number; undefined stays undefined; anything else throws naming the flag. */
export function numberFlag(flag: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  if (!(integer ? WHOLE : DECIMAL).test(text.trim())) {
    throw new Error(`--${flag} takes ${integer ? 'a whole number' : 'a number'}; got '${text}'.`);
  }
  const value = Number(text);
  // 1e400 is Infinity, and whole numbers past 2^53 are not what was typed.
  if (integer ? !Number.isSafeInteger(value) : !Number.isFinite(value)) {
    throw new Error(`--${flag} takes ${integer ? `a whole number up to ${Number.MAX_SAFE_INTEGER}` : 'a finite number'}; got '${text}'.`);
  }
  return value;
}

/** Comma-separated whole numbers, each among `allowed` when given. */
export function wholeNumberList(flag: string, text: string, allowed?: readonly number[]): number[] {
  const entries = text.split(',').map((s) => s.trim());
  if (entries.some((e) => !WHOLE.test(e))) {
    throw new Error(`--${flag} takes comma-separated whole numbers, e.g. --${flag} 32,64,128; got '${text}'.`);
  }
  const values = entries.map(Number);
  if (allowed && values.some((v) => !allowed.includes(v))) {
    throw new Error(`--${flag} takes ${allowed.join(' or ')} for each layer; got '${text}'.`);
  }
  return values;
}

/** One of `choices`; undefined stays undefined; anything else throws naming the flag and the choices. */
export function choiceFlag<T extends string>(flag: string, text: string | undefined, choices: readonly T[]): T | undefined {
  if (text !== undefined && !(choices as readonly string[]).includes(text)) {
    throw new Error(`--${flag} must be one of: ${choices.join(', ')}; got '${text}'.`);
  }
  return text as T | undefined;
}

/** A path flag: undefined stays undefined; an empty one is an error (it would resolve to the working folder). */
export function pathFlag(flag: string, text: string | undefined): string | undefined {
  if (text !== undefined && text.trim() === '') throw new Error(`--${flag} is empty: name a path (it would otherwise mean the current folder).`);
  return text;
}
