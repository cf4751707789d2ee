import { parseArgs } from 'node:util';

/** One command-line flag of a bench script: what `--help` prints and what the parser accepts. */
export interface FlagDoc {
  readonly type: 'string' | 'boolean';
  /** Placeholder of the value in `--help`, e.g. `S` or `1,16,64`. @default 'VALUE' */
  readonly value?: string;
  /** Environment variable read when the flag is absent. @default - none */
  readonly env?: string;
  /** Default as shown in `--help` (the script applies it). @default - none shown */
  readonly default?: string;
  readonly help: string;
  /** May be given several times. @default false */
  readonly multiple?: boolean;
}

export type FlagDocs = Readonly<Record<string, FlagDoc>>;

export type FlagValues = Record<string, string | boolean | string[] | undefined>;

/** `--help` text: the usage line, what the script does, one line per flag. */
export function flagsHelp(usage: string, about: string, flags: FlagDocs): string {
  const rows = Object.entries(flags).map(([name, f]) => {
    const left = `--${name}${f.type === 'string' ? ` ${f.value ?? 'VALUE'}` : ''}`;
    const extra = [f.env ? `env ${f.env}` : '', f.default !== undefined ? `default ${f.default}` : '']
      .filter(Boolean)
      .join('; ');
    return `  ${left.padEnd(26)} ${f.help}${extra ? ` [${extra}]` : ''}`;
  });
  return [`Usage: ${usage}`, '', about, '', 'Flags:', ...rows, `  ${'--help, -h'.padEnd(26)} this text`].join(
    '\n',
  );
}

/**
 * Parses `argv` against `flags` (plus `--help`/`-h`): `undefined` when help was asked for, else the values
 * given (defaults are the caller's). An unknown flag throws naming it and pointing at `--help`.
 */
export function parseFlags(argv: readonly string[], flags: FlagDocs): FlagValues | undefined {
  const options = Object.fromEntries(
    Object.entries(flags).map(([name, f]) => [name, { type: f.type, multiple: f.multiple ?? false }]),
  );
  let values: FlagValues;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }) as { values: FlagValues });
  } catch (e) {
    throw new Error(`${(e as Error).message.split('\n')[0]} (--help lists the flags)`);
  }
  return values.help === true ? undefined : values;
}
