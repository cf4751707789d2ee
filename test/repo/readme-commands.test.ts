import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { HELP_TEXT, parseConfig } from '../../model-server/src/config';
import { type RunningServer, startServer } from '../../model-server/src/lifecycle/server';
import { main as synth } from '../../stacks/main';
import { LogCapture } from '../model-server/helpers/server-app';

/**
 * The README's commands, as a new user runs them, for everything that needs no cloud and no Docker: the
 * curl lines against a running server, `npm start -- --help`, `npm run synth`, every `npm run` script it
 * names, and the stack names and order of its cdktf commands. Commands that need a cloud or a Docker daemon
 * are checked for what can be checked offline (names, order, paths).
 */
const ROOT = join(__dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};
const run = promisify(execFile);

/** The commands of every ```sh block: continuation lines joined, comments and blank lines dropped. */
function shellCommands(markdown: string): string[] {
  const commands: string[] = [];
  for (const [, block] of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
    let current = '';
    for (const line of block!.split('\n')) {
      if (current === '' && (line.trim() === '' || line.trim().startsWith('#'))) continue;
      current = current === '' ? line : `${current}\n${line}`;
      const openQuote = (current.replace(/\$'[^']*'/g, '').match(/'/g)?.length ?? 0) % 2 === 1;
      if (!current.endsWith('\\') && !openQuote) {
        commands.push(current);
        current = '';
      }
    }
  }
  return commands;
}

const commands = shellCommands(README);
// The curl lines a reader runs locally; lines with a placeholder host (`http://<load balancer>`) are examples.
const curls = commands.filter((c) => c.startsWith('curl ') && !/https?:\/\/</.test(c));
const cdktf = commands.filter((c) => /(^|\s)npx cdktf /.test(c));

describe('README commands', () => {
  test('are found (the extraction works)', () => {
    expect(commands.some((c) => c.startsWith('npm test '))).toBe(true);
    expect(curls.length).toBeGreaterThanOrEqual(5);
    expect(cdktf.length).toBeGreaterThanOrEqual(6);
    expect(shellCommands('```sh\n# c\na \\\n  b\ncurl -d \'{"x":\n 1}\'\n```\n')).toEqual([
      'a \\\n  b',
      'curl -d \'{"x":\n 1}\'',
    ]);
  });

  test('every `npm run <script>` the README names exists', () => {
    const named = [...README.matchAll(/npm run ([a-z][\w:-]*)/g)].map((m) => m[1]!);
    expect(named).toEqual(expect.arrayContaining(['synth', 'train', 'bench', 'docs:config', 'docs:server']));
    expect(named.filter((script) => PACKAGE.scripts[script] === undefined)).toEqual([]);
    for (const script of ['start', 'test']) expect(PACKAGE.scripts[script]).toBeDefined();
  });

  test('the docker commands (not run: no Docker daemon in tests) name files that exist', () => {
    const docker = commands.filter((c) => c.startsWith('docker '));
    expect(docker.length).toBeGreaterThan(0);
    for (const command of docker) {
      const file = /-f (\S+)/.exec(command)?.[1];
      if (file) expect(() => readFileSync(join(ROOT, file))).not.toThrow();
    }
  });

  describe('the curl lines, against a running server', () => {
    let server: RunningServer;
    beforeAll(async () => {
      const config = parseConfig([], { HOST: '127.0.0.1', PORT: '0', METRICS_PORT: '0' });
      server = await startServer(config, { logStream: new LogCapture(), defaultMetrics: false });
      await server.ready;
    });
    afterAll(() => server.shutdown());

    const onServer = (command: string): string =>
      command
        .replaceAll('http://localhost:8080', server.url)
        .replaceAll('http://localhost:9090/metrics', server.metricsUrl!);

    test.each(curls.map((c) => [c.split('\n')[0]!, c]))('%s', async (_, command) => {
      const { stdout } = await run('bash', ['-c', onServer(command)]);
      if (command.includes('/metrics')) {
        expect(stdout).toMatch(/^bankchurn_requests_total\{/m);
        return;
      }
      const body = JSON.parse(stdout) as { predictions?: { explanation?: unknown }[]; error?: unknown };
      expect(body.error).toBeUndefined();
      if (/explain/.test(command)) expect(body.predictions?.[0]?.explanation).toBeDefined();
    });
  });

  test('`npm start -- --help` prints the settings without building', async () => {
    expect(README).toContain('`npm start -- --help`');
    const { stdout } = await run(process.execPath, [join(ROOT, 'scripts', 'start.mjs'), '--help'], {
      cwd: ROOT,
    });
    expect(stdout).toBe(`${HELP_TEXT}\n`);
  });

  describe('npm run synth, and the cdktf commands', () => {
    // What `cdktf synth` runs (cdktf.json's app: stacks/main.ts), in this process and into a scratch folder,
    // with no config file: what a fresh clone synthesizes.
    let outdir: string;
    let manifest: { stacks: Record<string, { dependencies: string[] }> };
    beforeAll(() => {
      outdir = mkdtempSync(join(tmpdir(), 'readme-synth-'));
      const saved = { outdir: process.env.CDKTF_OUTDIR, config: process.env.MODEL_SERVING_CONFIG };
      process.env.CDKTF_OUTDIR = outdir;
      delete process.env.MODEL_SERVING_CONFIG;
      try {
        synth();
      } finally {
        if (saved.outdir === undefined) delete process.env.CDKTF_OUTDIR;
        else process.env.CDKTF_OUTDIR = saved.outdir;
        if (saved.config !== undefined) process.env.MODEL_SERVING_CONFIG = saved.config;
      }
      manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
    });
    afterAll(() => rmSync(outdir, { recursive: true, force: true }));

    const dependenciesOf = (name: string): string[] => manifest.stacks[name]?.dependencies ?? [];

    test('npm run synth runs stacks/main.ts and writes every stack the README names', () => {
      expect(PACKAGE.scripts.synth).toBe('cdktf synth');
      const cdktfJson = JSON.parse(readFileSync(join(ROOT, 'cdktf.json'), 'utf8')) as { app: string };
      expect(cdktfJson.app).toBe('npx tsx stacks/main.ts');
      expect(process.exitCode ?? 0).toBe(0);
      const named = new Set(cdktf.flatMap((c) => stackNamesOf(c)));
      expect(named.size).toBeGreaterThan(0);
      for (const name of named) expect(Object.keys(manifest.stacks)).toContain(name);
    });

    test('the serving-only section names the data sources a serving stack really reads', () => {
      const eksServing = JSON.parse(
        readFileSync(join(outdir, 'stacks', 'eks-serving', 'cdk.tf.json'), 'utf8'),
      ) as { data: Record<string, Record<string, unknown>> };
      const remoteStates = Object.keys(eksServing.data.terraform_remote_state ?? {});
      expect(remoteStates).toEqual(['cross-stack-reference-input-aws-image']);
      expect(README).toContain(`\`data.terraform_remote_state.${remoteStates[0]}\``);
      expect(Object.keys(eksServing.data.aws_eks_cluster ?? {})).toEqual(['cluster']);
      expect(README).toContain('`data.aws_eks_cluster.cluster`');
    });

    test.each(cdktf.map((c) => [c]))(
      'every stack exists, deploy names dependencies first, destroy dependents first: %s',
      (command) => {
        const names = stackNamesOf(command);
        expect(names.filter((n) => manifest.stacks[n] === undefined)).toEqual([]);
        const verb = /npx cdktf (\w+)/.exec(command)![1];
        if (command.includes('--ignore-missing-stack-dependencies') || verb === 'output') return;
        names.forEach((name, i) => {
          if (verb === 'deploy') {
            for (const dep of dependenciesOf(name)) expect(names.slice(0, i)).toContain(dep);
          } else if (verb === 'destroy') {
            // Everything that depends on a destroyed stack is destroyed before it, in the same command.
            for (const other of Object.keys(manifest.stacks)) {
              if (dependenciesOf(other).includes(name)) expect(names.slice(0, i)).toContain(other);
            }
          }
        });
      },
    );
  });
});

/** Stack names of a `npx cdktf <verb> …` command: its arguments that are not flags. */
function stackNamesOf(command: string): string[] {
  const args = command
    .replace(/^.*npx cdktf \w+/s, '')
    .replace(/\s#\s.*$/s, '')
    .trim()
    .split(/\s+/);
  // Flags that take a value: the value is not a stack name.
  const valued = new Set(['--outputs-file', '--var', '--var-file', '--parallelism', '--app', '--output']);
  return args.filter((a, i) => a !== '' && !a.startsWith('-') && !valued.has(args[i - 1] ?? ''));
}
