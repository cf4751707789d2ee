/** What a command writes to and reads from, injected so tests capture it. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Project root: where `outputs/` and the config file are. */
  readonly cwd: string;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
  };
}

/** One verb of the project CLI (`npm run <verb> -- …`). */
export interface CliCommand {
  /** One line for the command list. */
  readonly summary: string;
  /** Usage text printed by `--help`. */
  readonly usage: string;
  readonly run: (args: readonly string[], io: CliIo) => Promise<void>;
}
