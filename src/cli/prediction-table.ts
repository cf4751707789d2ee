/**
 * Prints what a deployed model answered, the same way for every target: one block per instance with the
 * prediction, and, when explanations came back, the base value and each input field's contribution sorted by
 * magnitude (the margin check shows the explanation is additive).
 */
export function formatPredictions(predictions: readonly unknown[]): string {
  return predictions.map((prediction, index) => formatOne(prediction, index)).join('\n');
}

function formatOne(prediction: unknown, index: number): string {
  if (!isRecord(prediction)) return `instance ${index}: ${JSON.stringify(prediction)}\n`;
  const lines = [`instance ${index}: ${headline(prediction)}`];
  const explanation = prediction.explanation;
  if (isRecord(explanation)) {
    const byField = isRecord(explanation.fieldContributions)
      ? explanation.fieldContributions
      : isRecord(explanation.contributions)
        ? explanation.contributions
        : {};
    const rows = Object.entries(byField)
      .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
      .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
    const width = Math.max(10, ...rows.map(([name]) => name.length));
    const space = typeof explanation.outputSpace === 'string' ? ` (${explanation.outputSpace})` : '';
    lines.push(`  ${'field'.padEnd(width)}  contribution${space}`);
    for (const [name, value] of rows) lines.push(`  ${name.padEnd(width)}  ${signed(value)}`);
    if (typeof explanation.baseValue === 'number')
      lines.push(`  ${'base value'.padEnd(width)}  ${signed(explanation.baseValue)}`);
    if (typeof explanation.margin === 'number')
      lines.push(`  ${'= margin'.padEnd(width)}  ${signed(explanation.margin)}`);
  }
  return `${lines.join('\n')}\n`;
}

function headline(prediction: Record<string, unknown>): string {
  const parts: string[] = [];
  if (prediction.label !== undefined) parts.push(`label ${String(prediction.label)}`);
  if (typeof prediction.probability === 'number')
    parts.push(`probability ${prediction.probability.toFixed(4)}`);
  if (typeof prediction.value === 'number') parts.push(`value ${prediction.value.toFixed(4)}`);
  if (parts.length === 0 && isRecord(prediction.probabilities)) {
    parts.push(`probabilities ${JSON.stringify(prediction.probabilities)}`);
  }
  return parts.length > 0 ? parts.join(', ') : JSON.stringify(prediction);
}

function signed(value: number): string {
  return (value >= 0 ? '+' : '') + value.toFixed(6);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
