import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { renderConfigTable, TABLE_END, TABLE_START, withConfigTable } from '../../scripts/gen-config-docs';

describe('README configuration table', () => {
  const table = renderConfigTable();

  test('lists every field with its default and environment variable', () => {
    expect(table).toContain('| `aws.region` | string | `us-east-1` | `MS_AWS_REGION` |');
    expect(table).toContain('| `services.<name>.hpa.cpuTargetPercent` | integer 1–100 | `70` |');
    expect(table).toContain(
      '| `stateBackend.kind` | `local` \\| `s3` \\| `gcs` | `local` | `MS_STATE_BACKEND` |',
    );
    expect(table).toContain('| `eks.clusterName` | string | `<project>-<environment>` |');
  });

  test('is up to date in README.md (run npm run docs:config)', () => {
    const readme = readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
    expect(readme).toContain(TABLE_START);
    expect(withConfigTable(readme, table)).toBe(readme);
  });

  test('replaces only what is between the markers, or appends the section once', () => {
    const readme = `# Title\n\nintro\n\n${TABLE_START}\nold\n${TABLE_END}\n\n## After\n`;
    expect(withConfigTable(readme, 'new')).toBe(
      `# Title\n\nintro\n\n${TABLE_START}\nnew\n${TABLE_END}\n\n## After\n`,
    );
    const appended = withConfigTable('# Title\n', 'new');
    expect(appended).toBe(`# Title\n\n${TABLE_START}\nnew\n${TABLE_END}\n`);
    expect(withConfigTable(appended, 'new')).toBe(appended);
  });
});
