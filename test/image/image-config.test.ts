/** The image's configuration and contents: what platforms and scanners see before the server ever runs. */
import { SERVER_NODE_FLAGS } from '../../bench/harness/servers';
import { IMAGE, inspectImage, runToCompletion } from './support/podman';

describe(`image ${IMAGE}`, () => {
  let config: Awaited<ReturnType<typeof inspectImage>>;

  beforeAll(async () => {
    config = await inspectImage();
  });

  test('runs as a numeric non-root user, so Kubernetes can verify runAsNonRoot', () => {
    expect(config.User).toBe('10001:10001');
  });

  test('starts the server in exec form from its working directory, SIGTERM to stop', () => {
    // The benchmark's flags: what it measures is what the image runs.
    expect(config.Entrypoint).toEqual(['node', ...SERVER_NODE_FLAGS, 'dist/main.js']);
    expect(config.Entrypoint).toContain('--max-semi-space-size=32');
    expect(config.WorkingDir).toBe('/opt/model-server');
    expect(config.StopSignal).toBe('SIGTERM');
    expect(config.Env).toContain('NODE_ENV=production');
  });

  test('exposes the serving and metrics ports and declares SageMaker port binding', () => {
    expect(Object.keys(config.ExposedPorts).sort()).toEqual(['8080/tcp', '9090/tcp']);
    expect(config.Labels['com.amazonaws.sagemaker.capabilities.accept-bind-to-port']).toBe('true');
    expect(config.Labels['org.opencontainers.image.licenses']).toBe('Apache-2.0');
    expect(config.Labels['org.opencontainers.image.title']).toBe('model-server');
  });

  test('ships Node 22 and the bundled server: no node_modules, package manager, npm cache, build tool or TypeScript source', async () => {
    const script = [
      'node --version',
      'for c in npm npx yarn yarnpkg corepack tsc; do command -v "$c" && echo "found $c"; done',
      'ls -d /usr/local/lib/node_modules /root/.npm /opt/node_modules /opt/model-server/node_modules 2>/dev/null',
      'find /opt/model-server -name "*.ts" -print | head -n 5',
      'test -f /opt/model-server/dist/main.js && echo "main.js present"',
    ].join('; ');
    const result = await runToCompletion({ options: ['--entrypoint', 'sh'], args: ['-c', script] });
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^v22\./);
    expect(lines.slice(1)).toEqual(['main.js present']);
  });

  test('nothing the server reads is writable by the user it runs as', async () => {
    const result = await runToCompletion({
      options: ['--entrypoint', 'find'],
      args: ['/opt/model-server', '-writable'],
    });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe('');
  });

  test('bundles the three models with their metadata', async () => {
    const result = await runToCompletion({
      options: ['--entrypoint', 'sh'],
      args: ['-c', 'cd /opt/model-server/models && ls */metadata.json'],
    });
    expect(result.stdout.trim().split('\n')).toEqual([
      'bankchurn/metadata.json',
      'chicagotaxi/metadata.json',
      'nlpinsight/metadata.json',
    ]);
  });
});
