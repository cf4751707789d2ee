import { ConfigError } from '../../../src/config/errors';
import { parseConfig } from '../../../src/config/load';

/** The problems `parseConfig` reports for `input` (read as `test.json`); fails the test when it accepts it. */
export function problemsOf(input: unknown, origins?: Readonly<Record<string, string>>): string[] {
  try {
    parseConfig(input, { source: 'test.json', ...(origins ? { origins } : {}) });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected the configuration to be rejected');
}
