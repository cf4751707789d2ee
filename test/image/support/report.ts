/**
 * Figures measured by the contract tests (start-up time, shutdown time, ...), appended to the file named by
 * IMAGE_TEST_REPORT so the driver script prints them after jest; printed to stderr when it is unset.
 */
import * as fs from 'node:fs';

export function reportFigure(name: string, value: string): void {
  const line = `${name}: ${value}\n`;
  const file = process.env.IMAGE_TEST_REPORT;
  if (file) fs.appendFileSync(file, line);
  else process.stderr.write(line);
}
