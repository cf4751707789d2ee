import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';

/**
 * The repository explains itself: no file may send a reader to a document that is not in it, or to a path
 * on the machine it was written on. (Comments once pointed to a design document that only existed next to
 * the repository; docs/design.md now holds what a contributor needs.)
 */
const ROOT = join(__dirname, '..', '..');

/** Tracked files and new files not ignored: what a fresh clone (or the next commit) holds. */
function repoFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return out.split('\0').filter((f) => f !== '' && existsSync(join(ROOT, f)));
}

function textOf(file: string): string | undefined {
  const bytes = readFileSync(join(ROOT, file));
  return bytes.includes(0) ? undefined : bytes.toString('utf8');
}

const files = repoFiles();
const texts = new Map(files.flatMap((f) => (f === relative(ROOT, __filename) ? [] : [[f, textOf(f)]])));
const basenames = new Set(files.map((f) => basename(f)));

/** Strings that only occur in a path outside the repository (built here so this file does not match). */
const OUTSIDE = [ROOT, ['', 'work', ''].join('/'), ['..', 'shared'].join('/')];

/** Markdown documents a file names: `docs/design.md`, `README.md`, `../training/README.md`. */
const DOC_REFERENCE = /(?<![\w./:-])((?:\.{1,2}\/)?(?:[\w.-]+\/)*[\w-]+\.md)\b/g;

function documentExists(file: string, reference: string): boolean {
  if (!reference.includes('/')) return basenames.has(reference);
  return [join(ROOT, dirname(file), reference), join(ROOT, reference)].some(
    (candidate) => candidate.startsWith(ROOT) && existsSync(candidate),
  );
}

describe('the repository stands on its own', () => {
  test('sees the files of the repository', () => {
    expect(texts.get('README.md')).toContain('# model-serving-cdktf');
    expect(texts.has('docs/design.md')).toBe(true);
  });

  test('no file mentions a path outside the repository', () => {
    const found: string[] = [];
    for (const [file, text] of texts) {
      for (const outside of OUTSIDE) if (text?.includes(outside)) found.push(`${file}: ${outside}`);
    }
    expect(found).toEqual([]);
  });

  test('every Markdown document a file names is in the repository', () => {
    const missing: string[] = [];
    for (const [file, text] of texts) {
      for (const [, reference] of text?.matchAll(DOC_REFERENCE) ?? []) {
        if (!documentExists(file, reference!)) missing.push(`${file}: ${reference}`);
      }
    }
    expect(missing).toEqual([]);
  });

  test('finds a reference to a missing document (the check can fail)', () => {
    const text = 'see DESIGN.md and docs/design.md';
    const references = [...text.matchAll(DOC_REFERENCE)].map((m) => m[1]!);
    expect(references).toEqual(['DESIGN.md', 'docs/design.md']);
    expect(references.filter((r) => !documentExists('src/index.ts', r))).toEqual(['DESIGN.md']);
  });
});
