/**
 * `tsx scripts/mutation-typecheck.ts <group> [--all]` (scripts/mutation.sh runs it after each Stryker run):
 * Stryker runs without its TypeScript checker, which cost more than the tests themselves, so a mutant that
 * does not type-check runs under swc like any other. The surviving and uncovered mutants are type-checked
 * here, and those the compiler rejects become CompileError, as the checker would have marked them, so no
 * survivor is a mutant that could not compile. A type-invalid mutant that the tests killed stays killed
 * (the checker would have left it out of the score); `--all` checks those too, for the checker's exact
 * verdicts, at up to a second or two per mutant in a file with heavy types (the zod schema).
 * Rewrites reports/mutation/<group>.json and the incremental file, then prints the score.
 *
 * A mutant is checked in its own file and in the files that import that file: a type error further away
 * (a caller of a caller) goes unnoticed, the trade Stryker's checker makes with
 * prioritizePerformanceOverAccuracy too.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

interface Position {
  line: number;
  column: number;
}
interface Mutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: string;
  statusReason?: string;
  location: { start: Position; end: Position };
}
interface Report {
  files: Record<string, { source: string; mutants: Mutant[] }>;
}

const UNDETECTED = ['Survived', 'NoCoverage'];
/** With --all: every verdict the tests gave. */
const TESTED = ['Killed', 'Timeout', 'RuntimeError', ...UNDETECTED];

/** Offset of a 1-based line and column in `text`. */
function offsetOf(text: string, { line, column }: Position): number {
  let offset = 0;
  for (let l = 1; l < line; l++) offset = text.indexOf('\n', offset) + 1;
  return offset + column - 1;
}

function applyMutant(source: string, mutant: Mutant): string {
  const start = offsetOf(source, mutant.location.start);
  const end = offsetOf(source, mutant.location.end);
  return source.slice(0, start) + (mutant.replacement ?? '') + source.slice(end);
}

class MutantChecker {
  private readonly options: ts.CompilerOptions;
  private readonly rootNames: string[];
  private readonly overrides = new Map<string, string>();
  private readonly host: ts.CompilerHost;
  private readonly importers = new Map<string, Set<string>>();
  private program: ts.Program;

  constructor(tsconfigFile: string) {
    const parsed = ts.getParsedCommandLineOfConfigFile(
      tsconfigFile,
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
        },
      },
    );
    if (!parsed) throw new Error(`cannot read ${tsconfigFile}`);
    // As Stryker's checker does: a mutant that leaves a local unused or code unreachable still compiles.
    this.options = {
      ...parsed.options,
      allowUnreachableCode: true,
      noUnusedLocals: false,
      noUnusedParameters: false,
    };
    this.rootNames = parsed.fileNames;
    const base = ts.createCompilerHost(this.options);
    const cache = new Map<string, ts.SourceFile>();
    this.host = {
      ...base,
      getSourceFile: (fileName, languageVersion) => {
        const override = this.overrides.get(path.resolve(fileName));
        if (override !== undefined) return ts.createSourceFile(fileName, override, languageVersion, true);
        let file = cache.get(fileName);
        if (!file) {
          file = base.getSourceFile(fileName, languageVersion);
          if (file) cache.set(fileName, file);
        }
        return file;
      },
    };
    this.program = ts.createProgram({ rootNames: this.rootNames, options: this.options, host: this.host });
    for (const file of this.program.getSourceFiles()) {
      for (const imported of ts.preProcessFile(file.text).importedFiles) {
        const resolved = ts.resolveModuleName(imported.fileName, file.fileName, this.options, this.host)
          .resolvedModule?.resolvedFileName;
        if (!resolved) continue;
        const key = path.resolve(resolved);
        if (!this.importers.has(key)) this.importers.set(key, new Set());
        this.importers.get(key)!.add(path.resolve(file.fileName));
      }
    }
  }

  /** The first type error `text` in place of `fileName` causes, or undefined. */
  firstError(fileName: string, text: string): string | undefined {
    const absolute = path.resolve(fileName);
    this.overrides.set(absolute, text);
    try {
      this.program = ts.createProgram({
        rootNames: this.rootNames,
        options: this.options,
        host: this.host,
        oldProgram: this.program,
      });
      for (const name of [absolute, ...(this.importers.get(absolute) ?? [])]) {
        const file = this.program.getSourceFile(name);
        if (!file) continue;
        const [diagnostic] = [
          ...this.program.getSyntacticDiagnostics(file),
          ...this.program.getSemanticDiagnostics(file),
        ];
        if (diagnostic) {
          const where =
            diagnostic.file && diagnostic.start !== undefined
              ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
              : undefined;
          const at = where ? `${path.relative('.', name)}:${where.line + 1}:${where.character + 1}` : name;
          return `${at}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
        }
      }
      return undefined;
    } finally {
      this.overrides.delete(absolute);
    }
  }
}

function score(report: Report): void {
  const rows: [string, Record<string, number>][] = [];
  const total: Record<string, number> = {};
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const counts: Record<string, number> = {};
    for (const m of mutants) {
      counts[m.status] = (counts[m.status] ?? 0) + 1;
      total[m.status] = (total[m.status] ?? 0) + 1;
    }
    rows.push([file, counts]);
  }
  rows.push(['All files', total]);
  const n = (c: Record<string, number>, s: string) => c[s] ?? 0;
  console.log('score  killed timeout survived nocov compile-error file');
  for (const [file, c] of rows) {
    const detected = n(c, 'Killed') + n(c, 'Timeout');
    const valid = detected + n(c, 'Survived') + n(c, 'NoCoverage');
    const pct = valid ? ((100 * detected) / valid).toFixed(2) : 'n/a';
    const cols = ['Killed', 'Timeout', 'Survived', 'NoCoverage', 'CompileError'].map((s) => n(c, s));
    console.log(`${pct.padStart(6)} ${cols.map((v) => String(v).padStart(6)).join(' ')} ${file}`);
  }
}

function main(): void {
  const [group, flag] = process.argv.slice(2);
  if (!group || (flag !== undefined && flag !== '--all')) {
    throw new Error('usage: tsx scripts/mutation-typecheck.ts <group> [--all]');
  }
  const UNCHECKED = new Set(flag === '--all' ? TESTED : UNDETECTED);
  const reportFile = `reports/mutation/${group}.json`;
  const incrementalFile = `reports/mutation/${group}.incremental.json`;
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
  const pending = Object.entries(report.files).flatMap(([file, { source, mutants }]) =>
    mutants.filter((m) => UNCHECKED.has(m.status)).map((m) => ({ file, source, m })),
  );
  const rejected = new Map<string, string>();
  if (pending.length > 0) {
    const checker = new MutantChecker('stryker/tsconfig.json');
    const started = Date.now();
    for (const [i, { file, source, m }] of pending.entries()) {
      if (i > 0 && i % 50 === 0)
        console.log(`  ${i}/${pending.length} checked, ${Math.round((Date.now() - started) / 1000)} s`);
      const error = checker.firstError(file, applyMutant(source, m));
      if (error) rejected.set(`${file}\0${m.id}`, error);
    }
  }
  const reclassify = (r: Report): void => {
    for (const [file, { mutants }] of Object.entries(r.files)) {
      for (const m of mutants) {
        const error = rejected.get(`${file}\0${m.id}`);
        if (error && UNCHECKED.has(m.status)) {
          m.status = 'CompileError';
          m.statusReason = error;
        }
      }
    }
  };
  reclassify(report);
  writeFileSync(reportFile, JSON.stringify(report));
  // The incremental file numbers mutants as the report does; it keeps the verdict for the next run.
  if (existsSync(incrementalFile)) {
    const incremental = JSON.parse(readFileSync(incrementalFile, 'utf8')) as Report;
    reclassify(incremental);
    writeFileSync(incrementalFile, JSON.stringify(incremental));
  }
  console.log(
    `type-checked ${pending.length} mutant(s) (${[...UNCHECKED].join(', ')}): ${rejected.size} do not compile`,
  );
  score(report);
}

main();
