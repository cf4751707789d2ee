import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { loadConfig } from '../../src/config/load';
import { buildApp } from '../../stacks/main';

// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON, checked field by field
type Json = Record<string, any>;

const ROOT = path.join(__dirname, '../..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const OPTIONS = { imageSourceHash: '9'.repeat(64), today: new Date('2026-12-01T00:00:00Z') };
/** The commands the stand-ins replace; each records its name and arguments, one call per line. */
const STAND_INS = ['npx', 'cdktf', 'aws', 'gcloud', 'kubectl', 'curl', 'sleep'];
/** Unit and record separators: arguments may hold newlines (a JSON body does). */
const SEP = '\u001f';
const END = '\u001e';

/** The shell block between `<!-- commands:<cloud> -->` and `<!-- /commands -->`. */
function commandsOf(cloud: string): string {
  const match = new RegExp(
    `<!-- commands:${cloud} -->\\n\`\`\`sh\\n([\\s\\S]*?)\`\`\`\\n<!-- /commands -->`,
  ).exec(README);
  if (!match) throw new Error(`README.md has no commands:${cloud} block`);
  return match[1]!;
}

/** Runs a block with the stand-ins first on PATH; returns the calls as [command, ...args] plus the env. */
function run(script: string): {
  calls: string[][];
  projects: string[];
  status: number | null;
  stderr: string;
} {
  const dir = mkdtempSync(path.join(tmpdir(), 'readme-'));
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  const log = path.join(dir, 'calls.log');
  // One append per call: a stand-in killed half-way (the README kills the port-forward) leaves no partial line.
  const record = `line="$(basename "$0")"; for a in "$@"; do line+="${SEP}$a"; done; printf '%s${END}' "$line" >> "${log}"`;
  const bodies: Record<string, string> = {
    // `npx cdktf …` runs the cdktf stand-in, as npx would run the local one.
    npx: `${record}\nshift_name="$1"; shift; exec "$shift_name" "$@"`,
    cdktf: `${record}\nprintf '[%s]${END}' "\${MS_GCP_PROJECT:-}" >> "${log}.projects"`,
    // A port-forward stays up until killed, as the real one does; the marker says its call is recorded.
    kubectl: `${record}\nif [ "$3" = port-forward ]; then : > "${log}.forwarding"; exec /bin/sleep 60; fi`,
    // The README sleeps while the port-forward comes up: wait until the background stand-in has recorded
    // its call, or \`kill $!\` may end it first. The deadline is generous: CI runs this beside other suites
    // on 2 cores, where starting a background bash took more than 5 s.
    sleep: `${record}\nfor _ in $(seq 600); do [ -e "${log}.forwarding" ] && exit 0; /bin/sleep 0.05; done; exit 1`,
  };
  for (const name of STAND_INS) {
    const file = path.join(bin, name);
    writeFileSync(file, `#!/bin/bash\n${bodies[name] ?? record}\n`);
    chmodSync(file, 0o755);
  }
  const result = spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
    cwd: dir,
    env: { PATH: `${bin}:${process.env.PATH}`, HOME: dir },
    encoding: 'utf8',
    // stdin not a socket: Debian's bash would read /etc/bash.bashrc as if started by sshd.
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8').split(END).filter(Boolean);
    } catch {
      return [];
    }
  };
  return {
    calls: read(log).map((line) => line.split(SEP)),
    projects: read(`${log}.projects`),
    status: result.status,
    stderr: result.stderr,
  };
}

/** The app built from the configuration the block's environment gives (no config file). */
function synthesized(env: Readonly<Record<string, string | undefined>>): {
  outputs: (stack: string) => Json;
  dependencies: (stack: string) => string[];
} {
  const config = loadConfig({ env, rootDir: mkdtempSync(path.join(tmpdir(), 'readme-root-')) });
  const { stacks } = buildApp(config, Testing.app(), OPTIONS);
  const byName = Object.fromEntries(Object.values(stacks).map((s) => [s.node.id, s]));
  return {
    outputs: (stack) => JSON.parse(Testing.synth(byName[stack]!)).output,
    dependencies: (stack) => byName[stack]!.dependencies.map((d) => d.node.id),
  };
}

/** True when every stack comes after each stack it depends on, and all of those are named. */
function inDependencyOrder(names: readonly string[], dependencies: (stack: string) => string[]): boolean {
  return names.every((name, i) => dependencies(name).every((dep) => names.slice(0, i).includes(dep)));
}

const words = (command: string) => command.split(' ');

describe.each([
  {
    cloud: 'eks',
    serving: 'eks-serving',
    stacks: ['aws-image', 'eks-cluster', 'eks-serving'],
    env: {},
    credentials: 'aws',
  },
  {
    cloud: 'gke',
    serving: 'gke-serving',
    stacks: ['gcp-image', 'gke-cluster', 'gke-serving'],
    env: { MS_GCP_PROJECT: 'my-project' },
    credentials: 'gcloud',
  },
])('README $cloud deploy -> call -> destroy (stand-ins on PATH; nothing runs on a real account)', (c) => {
  const result = run(commandsOf(c.cloud));
  const cdktf = result.calls.filter(([name]) => name === 'cdktf');
  const { outputs, dependencies } = synthesized(c.env);
  const served = outputs(c.serving);

  test('the block runs to the end', () => {
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('deploy names the stacks in dependency order, destroy in reverse', () => {
    const deploys = cdktf.filter(([, verb]) => verb === 'deploy');
    const destroys = cdktf.filter(([, verb]) => verb === 'destroy');
    expect(deploys).toEqual([['cdktf', 'deploy', ...c.stacks]]);
    expect(inDependencyOrder(c.stacks, dependencies)).toBe(true);
    expect(inDependencyOrder([...c.stacks].reverse(), dependencies)).toBe(false);
    // Dependents first: the serving stack's load balancers go before the cluster's network. The image
    // stack goes last and on its own: the managed endpoint stack depends on it too, and the cdktf CLI refuses
    // to destroy a stack whose dependants are not named unless told they are gone.
    const [image, ...rest] = c.stacks;
    expect(destroys).toEqual([
      ['cdktf', 'destroy', ...[...rest].reverse()],
      ['cdktf', 'destroy', image, '--ignore-missing-stack-dependencies'],
    ]);
    expect(cdktf.map(([, verb]) => verb)).toEqual(['deploy', 'output', 'destroy', 'destroy']);
  });

  test("the credentials and port-forward commands are the serving stack's outputs", () => {
    const credentials = result.calls.filter(([name]) => name === c.credentials);
    expect(credentials).toEqual([words(served.kubeconfig_command.value)]);
    const forwards = result.calls.filter(([name]) => name === 'kubectl');
    expect(forwards).toEqual([words(served.port_forward_commands.value.bankchurn)]);
  });

  test('the call reaches the forwarded port on a route the server serves, with a valid instance', () => {
    const curls = result.calls.filter(([name]) => name === 'curl');
    expect(curls).toHaveLength(1);
    const args = curls[0]!;
    expect(args).toContain('http://localhost:8080/v1/models/bankchurn:predict?explain=true');
    const body = JSON.parse(args[args.indexOf('-d') + 1]!);
    expect(Object.keys(body.instances[0]).sort()).toEqual(
      [
        'Age',
        'Balance',
        'CreditScore',
        'EstimatedSalary',
        'Gender',
        'Geography',
        'HasCrCard',
        'IsActiveMember',
        'NumOfProducts',
        'Tenure',
      ].sort(),
    );
  });

  test('every cdktf call sees the project the block sets', () => {
    expect(result.projects).toEqual(cdktf.map(() => `[${c.env.MS_GCP_PROJECT ?? ''}]`));
  });
});
