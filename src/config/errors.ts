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

/** The key schema of the record at `path`, if there is one. */
function recordKeySchemaAt(schema: z.ZodType, path: Path): z.ZodType | undefined {
  let node: SchemaNode | undefined = unwrap(schema as unknown as SchemaNode);
  for (const key of path) {
    if (!node) return undefined;
    const def: SchemaNode['_zod']['def'] = node._zod.def;
    const next: SchemaNode | undefined =
      def.type === 'object' ? def.shape?.[String(key)] : def.type === 'record' ? def.valueType : def.element;
    node = next ? unwrap(next) : undefined;
  }
  const keyType = (node?._zod.def as { type?: string; keyType?: unknown } | undefined)?.keyType;
  return node?._zod.def.type === 'record' ? (keyType as z.ZodType | undefined) : undefined;
}

/** A key the record's key schema accepts, close to the rejected one, not already in the record. */
function standInKey(keySchema: z.ZodType, rejected: string, taken: ReadonlySet<string>): string | undefined {
  const base =
    rejected
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^[^a-z]+/, '')
      .replace(/-+$/, '')
      .slice(0, 40) || 'x';
  for (let n = 0; n < 20; n++) {
    const candidate = n === 0 ? base : `${base}-${n}`;
    if (!taken.has(candidate) && keySchema.safeParse(candidate).success) return candidate;
  }
  return undefined;
}

const issueId = (issue: z.core.$ZodIssue): string =>
  `${issue.code}\u0000${issue.path.map(String).join('\u0000')}\u0000${issue.message}`;

/**
 * Every problem of `input`, where zod alone stops short. A record key that fails its schema (a service
 * named `Bank_Churn`) makes zod skip that entry's value and every refinement of the record and the objects
 * around it (such as the model check across services), so the other problems would show only after the
 * name is fixed. Here each rejected key is replaced by a stand-in the key schema accepts and the input is
 * validated again; what that finds is added under the user's own key. Problems that could only come from
 * the stand-in (a default derived from the key) are left out.
 */
export function collectIssues(
  schema: z.ZodType,
  input: unknown,
  first: readonly z.core.$ZodIssue[],
): z.core.$ZodIssue[] {
  const all = [...first];
  const seen = new Set(all.map(issueId));
  /** stand-in path (joined) -> the user's key. */
  const renamed = new Map<string, string>();
  const toUserPath = (path: Path): PropertyKey[] =>
    path.map((key, i) => renamed.get([...path.slice(0, i), key].map(String).join('\u0000')) ?? key);
  let working: unknown = structuredClone(input);
  let pending = all.filter((issue) => issue.code === 'invalid_key');
  // Each round reaches one level of records deeper (a bad key inside an entry with a bad key).
  for (let round = 0; round < 4 && pending.length > 0; round++) {
    const standIns: string[] = [];
    for (const issue of pending) {
      const parentPath = issue.path.slice(0, -1);
      const rejected = String(issue.path[issue.path.length - 1]);
      const record = valueAt(working, parentPath);
      const keySchema = recordKeySchemaAt(schema, parentPath);
      if (record === null || typeof record !== 'object' || keySchema === undefined) continue;
      const entries = Object.entries(record as Record<string, unknown>);
      const standIn = standInKey(keySchema, rejected, new Set(entries.map(([key]) => key)));
      // Without a stand-in the entry is dropped: the rest of the record is still checked.
      const replaced = Object.fromEntries(
        entries.flatMap(([key, value]) =>
          key !== rejected ? [[key, value]] : standIn === undefined ? [] : [[standIn, value]],
        ),
      );
      working = replaceAt(working, parentPath, replaced);
      if (standIn !== undefined) {
        renamed.set([...parentPath, standIn].map(String).join('\u0000'), rejected);
        standIns.push(standIn);
      }
    }
    const again = schema.safeParse(working);
    if (again.success) break;
    const mentionsStandIn = (issue: z.core.$ZodIssue): boolean => {
      const effective = (issue as { params?: { effective?: unknown } }).params?.effective;
      return standIns.some((s) => effective === s || issue.message.includes(s));
    };
    pending = [];
    for (const issue of again.error.issues) {
      const mapped = { ...issue, path: toUserPath(issue.path) } as z.core.$ZodIssue;
      if (seen.has(issueId(mapped)) || mentionsStandIn(issue)) continue;
      seen.add(issueId(mapped));
      all.push(mapped);
      if (issue.code === 'invalid_key') pending.push(issue);
    }
  }
  return all;
}

function replaceAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const parent = valueAt(root, path.slice(0, -1)) as Record<PropertyKey, unknown>;
  parent[path[path.length - 1]!] = value;
  return root;
}
