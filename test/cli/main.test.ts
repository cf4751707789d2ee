import type { CliIo } from '../../src/cli/io';
import { COMMANDS, runCli } from '../../src/cli/main';
import { CommandError, UsageError } from '../../src/cli/usage-error';

function capture(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, cwd: process.cwd() };
}

describe('project CLI entry', () => {
  const mutable = COMMANDS as Record<string, (typeof COMMANDS)[string]>;
  const calls: (readonly string[])[] = [];
  beforeAll(() => {
    mutable['test-verb'] = {
      summary: 'a verb for this test',
      usage: 'usage: test-verb [--fail usage|command|bug]\n\n',
      run: async (args) => {
        calls.push(args);
        if (args[0] === '--fail' && args[1] === 'usage') throw new UsageError('bad flag');
        if (args[0] === '--fail' && args[1] === 'command') throw new CommandError('the API said no');
        if (args[0] === '--fail' && args[1] === 'bug') throw new TypeError('a bug');
      },
    };
  });
  afterAll(() => {
    delete mutable['test-verb'];
  });

  it('passes the remaining arguments to the verb and exits 0', async () => {
    const io = capture();
    await expect(runCli(['test-verb', 'a', '--b'], io)).resolves.toBe(0);
    expect(calls.at(-1)).toEqual(['a', '--b']);
  });

  it('prints a usage error with the usage text and exits 2', async () => {
    const io = capture();
    await expect(runCli(['test-verb', '--fail', 'usage'], io)).resolves.toBe(2);
    expect(io.err.join('')).toBe('error: bad flag\nusage: test-verb [--fail usage|command|bug]\n');
  });

  it('prints a failed operation in one line and exits 1', async () => {
    const io = capture();
    await expect(runCli(['test-verb', '--fail', 'command'], io)).resolves.toBe(1);
    expect(io.err.join('')).toBe('error: the API said no\n');
  });

  it('lets a bug propagate with its stack', async () => {
    await expect(runCli(['test-verb', '--fail', 'bug'], capture())).rejects.toThrow(TypeError);
  });

  it('answers --help of a verb without running it', async () => {
    const io = capture();
    const before = calls.length;
    await expect(runCli(['test-verb', '--help'], io)).resolves.toBe(0);
    expect(calls.length).toBe(before);
    expect(io.out.join('')).toContain('usage: test-verb');
  });

  it('names an unknown verb and lists the known ones', async () => {
    const io = capture();
    await expect(runCli(['nope'], io)).resolves.toBe(2);
    expect(io.err.join('')).toContain('unknown command "nope"');
    expect(io.err.join('')).toContain('test-verb');
  });

  it('does not treat inherited property names as verbs', async () => {
    await expect(runCli(['constructor'], capture())).resolves.toBe(2);
  });

  it.each(['--help', '-h'])('lists the verbs for %s and exits 0', async (flag) => {
    const io = capture();
    await expect(runCli([flag], io)).resolves.toBe(0);
    expect(io.out.join('')).toMatch(
      /^usage: npm run <command> -- \[options\]\ncommands:\n(?: {2}\S+ +.+\n)* {2}test-verb {6}a verb for this test\n/,
    );
  });

  it('answers -h of a verb with its usage, trailing blank lines trimmed', async () => {
    const io = capture();
    await expect(runCli(['test-verb', '-h'], io)).resolves.toBe(0);
    expect(io.out.join('')).toBe('usage: test-verb [--fail usage|command|bug]\n');
  });

  it('names the error classes for logs', () => {
    expect(new UsageError('x').name).toBe('UsageError');
    expect(new CommandError('x').name).toBe('CommandError');
  });

  it('lists the verbs with no arguments and exits 2', async () => {
    const io = capture();
    await expect(runCli([], io)).resolves.toBe(2);
    expect(io.out.join('')).toContain('test-verb');
  });
});
