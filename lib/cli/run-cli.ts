/** The shared shell of every command: parse flags, print usage on --help, one-line errors, exit codes. */

export interface CliCommand {
  help: boolean;
}

/** An install step whose only flag is --rebuild (setup-tensorflow, setup-jupyter). */
export interface RebuildCommand extends CliCommand {
  rebuild: boolean;
}

export function parseRebuildFlag(argv: string[]): RebuildCommand {
  const unknown = argv.filter((a) => a !== '--rebuild' && a !== '--help');
  if (unknown.length) throw new Error(`unknown argument ${unknown.join(' ')}`);
  return { help: argv.includes('--help'), rebuild: argv.includes('--rebuild') };
}

/**
 * Parses argv and runs the command. Exit code 2 for bad flags (with a pointer to --help), 1 when the
 * command fails, 0 otherwise; errors print as "name: message".
 */
export async function runCli<C extends CliCommand>(
  name: string,
  usage: string,
  parse: (argv: string[]) => C,
  run: (cmd: C) => unknown,
  argv = process.argv.slice(2),
): Promise<void> {
  let cmd: C;
  try {
    cmd = parse(argv);
  } catch (err) {
    console.error(`${name}: ${(err as Error).message}\n\nRun npm run ${name} -- --help for the flags.`);
    process.exitCode = 2;
    return;
  }
  if (cmd.help) {
    console.log(usage);
    return;
  }
  try {
    await run(cmd);
  } catch (err) {
    console.error(`${name}: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
