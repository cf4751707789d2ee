/**
 * The metric names a PromQL expression reads, found lexically: label matchers, strings, durations, grouping
 * clauses and function calls are removed, and the identifiers left are metric (or recording rule) names.
 * Enough for the expressions this project writes; not a full PromQL parser.
 */
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
]);

export function metricNamesIn(expr: string): Set<string> {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = match[0];
    const end = match.index + word.length;
    // A function call.
    if (/^\s*\(/.test(stripped.slice(end))) continue;
    if (!KEYWORDS.has(word.toLowerCase())) names.add(word);
  }
  return names;
}
