import { compareCommand } from './compare';
import { costCommand } from './cost';
import { deployCommand } from './deploy';
import { destroyCommand } from './destroy';
import { invokeCommand } from './invoke';
import { type CliCommand, type CliIo, processIo } from './io';
import { CommandError, UsageError } from './usage-error';
import { vertexDeployCommand } from './vertex-deploy';

/**
 * The project CLI: `tsx src/cli/main.ts <verb> [args]`, reached through `npm run <verb> -- [args]`. Each verb
 * is one file under `src/cli/`; they share how they read stack outputs (`outputs.ts`) and config.
 */
export const COMMANDS: Readonly<Record<string, CliCommand>> = {
  invoke: invokeCommand,
  cost: costCommand,
  compare: compareCommand,
  deploy: deployCommand,
  destroy: destroyCommand,
  'vertex-deploy': vertexDeployCommand,
};

function commandList(commands: Readonly<Record<string, CliCommand>>): string {
  const names = Object.keys(commands);
  if (names.length === 0) return 'commands: none';
  return ['commands:', ...names.map((name) => `  ${name.padEnd(14)} ${commands[name]!.summary}`)].join('\n');
}

/**
 * Runs one verb; returns the process exit code (0 ok, 1 the operation failed, 2 bad usage). `commands`
 * lets tests run a verb built with stand-ins for its side effects.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo = processIo(),
  commands: Readonly<Record<string, CliCommand>> = COMMANDS,
): Promise<number> {
  const [verb, ...args] = argv;
  if (verb === undefined || verb === '--help' || verb === '-h') {
    io.stdout(`usage: npm run <command> -- [options]\n${commandList(commands)}\n`);
    return verb === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(commands, verb) ? commands[verb] : undefined;
  if (!command) {
    io.stderr(`error: unknown command "${verb}"\n${commandList(commands)}\n`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(`${command.usage.trimEnd()}\n`);
    return 0;
  }
  try {
    await command.run(args, io);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`error: ${error.message}\n${command.usage.trimEnd()}\n`);
      return 2;
    }
    if (error instanceof CommandError) {
      io.stderr(`error: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
