/**
 * `npm run docs:config`: writes the README's configuration table, generated from the zod schema, between
 * the markers below. `--check` exits 1 instead of writing when the README is out of date (for CI).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { CONFIG_FILE_ENV, DEFAULT_CONFIG_FILE, ENV_OVERRIDES } from '../src/config/load';
import { BUNDLED_MODELS, configSchema } from '../src/config/schema';

export const TABLE_START = '<!-- config-table:start -->';
export const TABLE_END = '<!-- config-table:end -->';

interface JsonSchema {
  readonly type?: string;
  readonly enum?: readonly unknown[];
  readonly default?: unknown;
  readonly 'x-default'?: string;
  readonly description?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly additionalProperties?: JsonSchema | boolean;
  readonly items?: JsonSchema;
  readonly minimum?: number;
  readonly maximum?: number;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (value: unknown): string => `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;

function typeOf(schema: JsonSchema): string {
  if (schema.enum) return schema.enum.map(code).join(' \\| ');
  if (schema.type === 'array') return `${schema.items ? typeOf(schema.items) : 'any'}[]`;
  if (schema.type === 'integer' || schema.type === 'number') {
    const max =
      schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER ? schema.maximum : undefined;
    if (schema.minimum !== undefined && max !== undefined) return `${schema.type} ${schema.minimum}–${max}`;
    if (schema.minimum !== undefined) return `${schema.type} ≥ ${schema.minimum}`;
  }
  return schema.type ?? 'any';
}

function defaultOf(schema: JsonSchema, field: string): string {
  if (schema['x-default'] !== undefined) return cell(schema['x-default']);
  if (field === 'services') return `${BUNDLED_MODELS.map(code).join(', ')} (each with the defaults below)`;
  if (schema.default === undefined || (schema.type === 'object' && schema.properties)) return '';
  return cell(code(schema.default));
}

const envFor = (field: string): string =>
  Object.entries(ENV_OVERRIDES)
    .filter(([, fieldPath]) => fieldPath.join('.') === field)
    .map(([variable]) => code(variable))
    .join(', ');

function rows(schema: JsonSchema, prefix: string): string[] {
  const lines: string[] = [];
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const field = prefix ? `${prefix}.${key}` : key;
    const record =
      child.type === 'object' && !child.properties && typeof child.additionalProperties === 'object';
    if (child.properties || record) {
      if (child.description || record) {
        lines.push(
          `| ${code(field)} | object | ${defaultOf(child, field)} | | ${cell(child.description ?? '')} |`,
        );
      }
      if (record) lines.push(...rows(child.additionalProperties as JsonSchema, `${field}.<name>`));
      else lines.push(...rows(child, field));
      continue;
    }
    lines.push(
      `| ${code(field)} | ${typeOf(child)} | ${defaultOf(child, field)} | ${envFor(field)} | ${cell(child.description ?? '')} |`,
    );
  }
  return lines;
}

/** The Markdown table (with a short lead-in), deterministic for a given schema. */
export function renderConfigTable(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input' }) as JsonSchema;
  return [
    `Generated from \`src/config/schema.ts\` by \`npm run docs:config\`. The file is \`${DEFAULT_CONFIG_FILE}\` in`,
    `the project root or the path in \`${CONFIG_FILE_ENV}\` (JSON); without one the defaults deploy the demo set.`,
    'Unknown keys are rejected. Environment variables override single fields; `MS_AWS_IMAGE_URI` and',
    "`MS_GCP_IMAGE_URI` also set that image's `mode` to `prebuilt`.",
    '',
    '| field | type | default | env | description |',
    '| --- | --- | --- | --- | --- |',
    ...rows(schema, ''),
  ].join('\n');
}

/**
 * README text with the table between the markers (appended with its markers when they are missing; the
 * heading and prose around it are the README's own).
 */
export function withConfigTable(readme: string, table: string): string {
  const block = `${TABLE_START}\n${table}\n${TABLE_END}`;
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start === -1 || end === -1 || end < start) {
    return `${readme.replace(/\n*$/, '\n')}\n${block}\n`;
  }
  return readme.slice(0, start) + block + readme.slice(end + TABLE_END.length);
}

function main(): void {
  const readmePath = path.join(process.cwd(), 'README.md');
  const current = readFileSync(readmePath, 'utf8');
  const next = withConfigTable(current, renderConfigTable());
  if (process.argv.includes('--check')) {
    if (next !== current) {
      process.stderr.write('README.md configuration table is out of date: run npm run docs:config\n');
      process.exitCode = 1;
    }
    return;
  }
  if (next !== current) writeFileSync(readmePath, next);
}

if (require.main === module) main();
