import { type CostReport, clusterIdle, describeHourly, type StackCost } from './calculator';
import { HOURS_PER_MONTH, type Price } from './prices';

const usd = (value: number, digits: number) => `$${value.toFixed(digits)}`;
const perHour = (value: number | undefined) => (value === undefined ? 'unknown' : usd(value, 4));
const perMonth = (value: number | undefined) =>
  value === undefined ? 'unknown' : usd(value * HOURS_PER_MONTH, 2);
const unitPrice = (price: Price) => (price.usd === undefined ? 'unknown' : `$${price.usd}/${price.unit}`);

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  return lines.join('\n');
}

function stackTotal(stack: StackCost): string {
  return stack.unknownItems.length === 0
    ? perHour(stack.idleHourly)
    : `${perHour(stack.idleHourly)} + unknown`;
}

/** The report as `npm run cost` prints it (Markdown, so it pastes into a decision record as it is). */
export function formatCostReport(report: CostReport): string {
  const out: string[] = [];
  out.push(
    `Cost as configured: on-demand list prices of ${report.regions.aws} (AWS) and ${report.regions.gcp} (GCP), read ${report.retrieved} (src/cost/prices.ts); a month is ${HOURS_PER_MONTH} h.`,
    '',
    '**Idle cost per hour of each cluster** (cluster + serving stacks, no traffic):',
    '',
  );
  for (const target of ['eks', 'gke'] as const) {
    const idle = clusterIdle(report, target);
    out.push(
      `- **${target.toUpperCase()}: ${describeHourly(idle)}** (${usd(idle.idleHourly * HOURS_PER_MONTH, 2)}/month known)`,
    );
  }
  out.push('');
  const rows = report.stacks.flatMap((stack) => [
    ...stack.lines.map((l) => [
      stack.stack,
      l.item,
      `${Number(l.quantity.toFixed(3))} ${l.quantityUnit}`,
      unitPrice(l.price),
      perHour(l.hourly),
      perMonth(l.hourly),
    ]),
    [
      `**${stack.stack}**`,
      '**idle total**',
      '',
      '',
      `**${stackTotal(stack)}**`,
      `**${stack.unknownItems.length === 0 ? perMonth(stack.idleHourly) : `${perMonth(stack.idleHourly)} + unknown`}**`,
    ],
  ]);
  out.push(table(['stack', 'item', 'quantity', 'unit price', '$/hour', '$/month'], rows), '');

  const rated = report.stacks.filter((s) => s.atRate !== undefined);
  if (rated.length > 0) {
    const rps = rated[0]!.atRate!.requestsPerSecond;
    out.push(`At ${rps} requests/second:`, '');
    out.push(
      table(
        ['stack', 'instances', '$/hour', '$/month', 'note'],
        rated.map((s) => [
          s.stack,
          s.atRate!.instances === undefined ? '-' : String(s.atRate!.instances),
          perHour(s.atRate!.hourly),
          perMonth(s.atRate!.hourly),
          s.atRate!.note ?? '',
        ]),
      ),
      '',
    );
  }
  for (const warning of report.warnings) out.push(`- WARNING: ${warning}`);
  if (report.warnings.length > 0) out.push('');
  for (const note of report.notes) out.push(`- Note: ${note}`);
  return `${out.join('\n')}\n`;
}
