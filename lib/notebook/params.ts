/**
 * A notebook's parameters cell: defaults written in the cell, each overridable by an environment
 * variable BNN_<NAME> (camelCase → SCREAMING_SNAKE), which is how `npm run figures` passes
 * --profile, --mode, --images … to the kernel.
 */
export type ParameterValue = string | number | boolean | number[];

/** Environment variable that overrides a parameter, e.g. imagesPerLayer → BNN_IMAGES_PER_LAYER. */
export function parameterEnvName(key: string): string {
  return `BNN_${key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

function parse(key: string, text: string, like: ParameterValue): ParameterValue {
  const bad = (what: string) => new Error(`${parameterEnvName(key)}='${text}' is not ${what} (parameter ${key}).`);
  if (typeof like === 'number') {
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v)) throw bad('a number');
    return v;
  }
  if (typeof like === 'boolean') {
    if (!['true', 'false', '1', '0'].includes(text)) throw bad('true or false');
    return text === 'true' || text === '1';
  }
  if (Array.isArray(like)) {
    const values = text.split(',').map(Number);
    if (values.some((v) => !Number.isFinite(v))) throw bad('a comma-separated list of numbers');
    return values;
  }
  return text;
}

/** The defaults, with every value whose BNN_<NAME> variable is set replaced by its parsed value. */
export function notebookParameters<T extends Record<string, ParameterValue>>(defaults: T, env: NodeJS.ProcessEnv = process.env): T {
  const out: Record<string, ParameterValue> = { ...defaults };
  for (const [key, value] of Object.entries(defaults)) {
    const text = env[parameterEnvName(key)];
    if (text !== undefined) out[key] = parse(key, text, value);
  }
  return out as T;
}
