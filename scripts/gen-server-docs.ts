/**
 * `npm run docs:server`: writes the README's server settings table between the markers below, from the same
 * list that prints `--help` (`SETTINGS` in model-server/src/config.ts), so the two cannot disagree.
 * `--check` exits 1 instead of writing when the README is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { SETTINGS, type Setting } from '../model-server/src/config';

export const SETTINGS_START = '<!-- server-settings:start -->';
export const SETTINGS_END = '<!-- server-settings:end -->';

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
/** A literal (`8080`, `/opt/ml/model`) in code style; a default said in words stays plain. */
const defaultCell = (value: string | undefined): string =>
  value === undefined ? '' : /\s/.test(value) ? cell(value) : `\`${cell(value)}\``;
const nameCell = (s: Setting): string => (s.flag ? `\`${s.flag}\`, \`${s.env}\`` : `\`${s.env}\``);

export function renderServerSettingsTable(settings: readonly Setting[] = SETTINGS): string {
  return [
    'Generated from `model-server/src/config.ts`, the list `--help` prints, by `npm run docs:server`. A flag',
    'wins over its environment variable; invalid values stop the server with exit code 2 and a message naming',
    'each one.',
    '',
    '| setting | default | meaning |',
    '| --- | --- | --- |',
    ...settings.map((s) => `| ${nameCell(s)} | ${defaultCell(s.default)} | ${cell(s.help)} |`),
  ].join('\n');
}

export function withServerSettingsTable(readme: string, table: string): string {
  const block = `${SETTINGS_START}\n${table}\n${SETTINGS_END}`;
  const start = readme.indexOf(SETTINGS_START);
  const end = readme.indexOf(SETTINGS_END);
  if (start === -1 || end === -1 || end < start) {
    return `${readme.replace(/\n*$/, '\n')}\n${block}\n`;
  }
  return readme.slice(0, start) + block + readme.slice(end + SETTINGS_END.length);
}

function main(): void {
  const readmePath = path.join(process.cwd(), 'README.md');
  const current = readFileSync(readmePath, 'utf8');
  const next = withServerSettingsTable(current, renderServerSettingsTable());
  if (process.argv.includes('--check')) {
    if (next !== current) {
      process.stderr.write('README.md server settings table is out of date: run npm run docs:server\n');
      process.exitCode = 1;
    }
    return;
  }
  if (next !== current) writeFileSync(readmePath, next);
}

if (require.main === module) main();
