import type { z } from 'zod';

/**
 * Every problem of a configuration in one error. Each line reads
 * `field.path: got X; expected Y (allowed: a, b, c)`; `stacks/main.ts` prints the message without a stack
 * trace and exits with code 1.
 */
export class ConfigError extends Error {
  constructor(
    /** Where the configuration came from, e.g. `model-serving.config.json` or `defaults`. */
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid configuration (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Path = readonly PropertyKey[];

/** Renders a path as `services.bankchurn.hpa.minReplicas` or `aws.adminPrincipalArns[0]`. */
export function formatPath(path: Path): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

/** The value a user gave, short: JSON, cut at 160 characters; `nothing` when absent. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

function valueAt(input: unknown, path: Path): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Minimal view of zod 4's schema internals, enough to find the keys an object accepts. */
interface SchemaNode {
  readonly _zod: {
    readonly def: {
      readonly type: string;
      readonly innerType?: SchemaNode;
      readonly in?: SchemaNode;
      readonly shape?: Readonly<Record<string, SchemaNode>>;
      readonly valueType?: SchemaNode;
      readonly element?: SchemaNode;
    };
  };
}

function unwrap(node: SchemaNode): SchemaNode {
  let current = node;
  for (;;) {
    const def = current._zod.def;
    const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (!inner) return current;
    current = inner;
  }
}

/** Keys accepted by the object schema at `path`, for "allowed:" in unknown-key messages. */
export function knownKeysAt(schema: z.ZodType, path: Path): string[] {
  let node: SchemaNode | undefined = unwrap(schema as unknown as SchemaNode);
  for (const key of path) {
    if (!node) return [];
    const def: SchemaNode['_zod']['def'] = node._zod.def;
    const next: SchemaNode | undefined =
      def.type === 'object' ? def.shape?.[String(key)] : def.type === 'record' ? def.valueType : def.element;
    node = next ? unwrap(next) : undefined;
  }
  return node?._zod.def.type === 'object' ? Object.keys(node._zod.def.shape ?? {}) : [];
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  record: 'an object',
};

/** zod's own messages start like this; ours (the "expected" half) never do. */
const ZOD_DEFAULT_MESSAGE = /^(Invalid|Too (small|big)|Unrecognized)/;

/**
 * One line per problem. `input` is the raw configuration (file merged with environment overrides);
 * `origins` names the environment variable behind an overridden path, e.g. `{ 'aws.region': 'MS_AWS_REGION' }`.
 */
export function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  schema: z.ZodType,
  origins: Readonly<Record<string, string>> = {},
): string[] {
  const lines: string[] = [];
  const line = (path: Path, got: string, expected: string) => {
    const field = formatPath(path) || '(root)';
    const origin = origins[field];
    lines.push(`${field}${origin ? ` (from ${origin})` : ''}: got ${got}; expected ${expected}`);
  };
  for (const issue of issues) {
    const raw = valueAt(input, issue.path);
    // A refinement may complain about a default the user never wrote: it passes the value in `params`.
    const effective =
      issue.code === 'custom' ? (issue.params as { effective?: unknown } | undefined)?.effective : undefined;
    const got =
      raw === undefined && effective !== undefined
        ? `${describeValue(effective)} (default)`
        : describeValue(raw);
    const custom = !ZOD_DEFAULT_MESSAGE.test(issue.message);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const allowed = knownKeysAt(schema, issue.path).join(', ');
        for (const key of issue.keys) {
          line(
            [...issue.path, key],
            `unknown key ${JSON.stringify(key)}`,
            `no such key (allowed: ${allowed})`,
          );
        }
        break;
      }
      case 'invalid_key': {
        const reasons = issue.issues.map((inner) => inner.message).join('; ');
        const key = issue.path[issue.path.length - 1];
        line(issue.path, `name ${JSON.stringify(String(key))}`, reasons);
        break;
      }
      case 'invalid_value':
        line(issue.path, got, `one of the allowed values (allowed: ${issue.values.map(String).join(', ')})`);
        break;
      case 'invalid_type':
        line(issue.path, got, custom ? issue.message : (TYPE_WORDS[issue.expected] ?? issue.expected));
        break;
      case 'too_small':
        line(issue.path, got, custom ? issue.message : `at least ${String(issue.minimum)}`);
        break;
      case 'too_big':
        line(issue.path, got, custom ? issue.message : `at most ${String(issue.maximum)}`);
        break;
      default:
        line(issue.path, got, issue.message);
    }
  }
  return lines;
}
