import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { HELP_TEXT, SETTINGS } from '../../../model-server/src/config';
import {
  renderServerSettingsTable,
  SETTINGS_END,
  SETTINGS_START,
  withServerSettingsTable,
} from '../../../scripts/gen-server-docs';

describe('README server settings table', () => {
  const table = renderServerSettingsTable();

  test('has a row for every flag and variable --help lists', () => {
    const flags = [...HELP_TEXT.matchAll(/\[(--[a-z-]+)/g)].map((m) => m[1]!).filter((f) => f !== '--help');
    expect(flags).toEqual(expect.arrayContaining(['--host', '--log-level', '--port']));
    for (const flag of flags) expect(table).toContain(`| \`${flag}\`, `);
    for (const { env } of SETTINGS) expect(table).toMatch(new RegExp(`\\| (\`--[a-z-]+\`, )?\`${env}\` \\|`));
    expect(table).toContain('| `--host`, `HOST` | `0.0.0.0` | address to listen on |');
    expect(table).toContain(
      '| `--model-dir`, `MODEL_DIR` | the bundled models | a bundle directory, or a directory of bundles |',
    );
  });

  test('is up to date in README.md (run npm run docs:server)', () => {
    const readme = readFileSync(path.join(__dirname, '../../../README.md'), 'utf8');
    expect(readme).toContain(SETTINGS_START);
    expect(withServerSettingsTable(readme, table)).toBe(readme);
  });

  test('replaces only what is between the markers', () => {
    const readme = `# T\n\n${SETTINGS_START}\nold\n${SETTINGS_END}\n\n## After\n`;
    expect(withServerSettingsTable(readme, 'new')).toBe(
      `# T\n\n${SETTINGS_START}\nnew\n${SETTINGS_END}\n\n## After\n`,
    );
  });
});
