import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { parseConfig } from '../../src/config/load';
import { configSchema } from '../../src/config/schema';
import { calculateCost } from '../../src/cost/calculator';
import { formatCostReport } from '../../src/cost/format';
import { costInputsFromConfig } from '../../src/cost/inputs';
import { PRICE_TABLE } from '../../src/cost/prices';
import {
  COST_PASSAGES,
  observabilityCostTable,
  readmeCostOutput,
  withCostPassages,
} from '../../src/cost/readme-passages';

const readme = readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
const defaults = parseConfig({});

/** Every `$<number>` of a text, as numbers ("$0.10" is 0.1, "$1,000" is 1000). */
const dollarFigures = (text: string): number[] =>
  [...text.matchAll(/\$(\d[\d,]*(?:\.\d+)?)/g)].map((m) => Number(m[1]!.replace(/,/g, '')));

function tableFigures(node: unknown): number[] {
  if (typeof node !== 'object' || node === null) return [];
  if ('usd' in node && 'source' in node) {
    const { usd } = node as { usd: unknown };
    return typeof usd === 'number' ? [usd] : [];
  }
  return Object.values(node).flatMap(tableFigures);
}

function withoutGeneratedPassages(text: string): string {
  let rest = text;
  for (const passage of COST_PASSAGES) {
    const start = rest.indexOf(passage.start);
    const end = rest.indexOf(passage.end);
    rest = rest.slice(0, start) + rest.slice(end + passage.end.length);
  }
  return rest;
}

function descriptions(node: unknown): string[] {
  if (typeof node !== 'object' || node === null) return [];
  const own = (node as { description?: unknown }).description;
  return [...(typeof own === 'string' ? [own] : []), ...Object.values(node).flatMap(descriptions)];
}

describe('README prices come from the price table', () => {
  // Figures the README may quote: the table's own, and what `npm run cost` prints for the defaults.
  const allowed = new Set([
    ...tableFigures(PRICE_TABLE),
    ...dollarFigures(formatCostReport(calculateCost(costInputsFromConfig(defaults)))),
    ...dollarFigures(readmeCostOutput(defaults)),
  ]);

  it('its generated price passages are up to date (run npm run docs:cost)', () => {
    for (const passage of COST_PASSAGES) expect(readme).toContain(passage.start);
    expect(withCostPassages(readme, defaults)).toBe(readme);
  });

  it('every other $ figure in README.md is a figure of the table or of `npm run cost` for the defaults', () => {
    const quoted = dollarFigures(withoutGeneratedPassages(readme));
    expect(quoted.length).toBeGreaterThan(0);
    expect(quoted.filter((figure) => !allowed.has(figure))).toEqual([]);
  });

  it('every $ figure in a config field description is a figure of the table', () => {
    const schema = z.toJSONSchema(configSchema, { io: 'input' });
    const quoted = descriptions(schema).flatMap(dollarFigures);
    expect(quoted.length).toBeGreaterThan(0);
    expect(quoted.filter((figure) => !tableFigures(PRICE_TABLE).includes(figure))).toEqual([]);
  });

  it('the check would catch a figure the table does not hold', () => {
    expect(dollarFigures('about $0.065/h, then $1,000 and $0.10').filter((f) => !allowed.has(f))).toEqual([
      0.065, 1000,
    ]);
  });
});

describe('generated price passages', () => {
  it('the observability costs follow the table, and say so when a price is unknown', () => {
    const table = {
      ...PRICE_TABLE,
      aws: { ...PRICE_TABLE.aws, kmsKey: { ...PRICE_TABLE.aws.kmsKey, usd: 2 } },
      gcp: {
        ...PRICE_TABLE.gcp,
        monitoringAlertCondition: { ...PRICE_TABLE.gcp.monitoringAlertCondition, usd: undefined },
      },
    } as unknown as typeof PRICE_TABLE;
    const text = observabilityCostTable(defaults, table);
    expect(text).toContain(
      '| on when `notificationEmails` lists an address | $2 per key-month (also while a TTL has deleted the endpoint)',
    );
    expect(text).toContain(
      '| off | an unknown amount per condition-month (2 conditions: an unknown amount/month',
    );
    expect(text).not.toContain('$1.50');
  });

  it('the GKE alert policy cost counts the generated alerts of every default service', () => {
    const text = observabilityCostTable(defaults);
    const match = /condition-month: (\d+) per service, so \$(\d+)\/month for the (\d+) default services/.exec(
      text,
    );
    expect(match).not.toBeNull();
    const [, perService, monthly, services] = match!.map(Number);
    expect(services).toBe(Object.keys(defaults.services).length);
    expect(monthly).toBeCloseTo(perService! * services! * 1.5, 10);
  });

  it('the pasted cost output is what `npm run cost -- --rps 100` prints with the measured throughput', () => {
    const text = readmeCostOutput(defaults);
    expect(text).toContain(`read ${PRICE_TABLE.retrieved} (src/cost/prices.ts)`);
    expect(text).toContain('At 100 requests/second:');
    expect(text).toContain('- Note: At 100 requests/second: 1199 requests/second per instance (local-native');
  });
});
