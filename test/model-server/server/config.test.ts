import { ConfigError, HELP_TEXT, HelpRequested, parseConfig } from '../../../model-server/src/config';

function problems(argv: string[], env: Record<string, string>): readonly string[] {
  try {
    parseConfig(argv, env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('has defaults for everything', () => {
    expect(parseConfig([], {})).toEqual({
      host: '0.0.0.0',
      port: 8080,
      portSource: 'default',
      metricsPort: 9090,
      modelDir: undefined,
      modelName: undefined,
      defaultModel: undefined,
      sagemakerModelDir: '/opt/ml/model',
      vertex: undefined,
      storageUri: undefined,
      storageEmulatorHost: undefined,
      maxBatchSize: 1000,
      maxConcurrentRequests: 32,
      bodyLimitBytes: 6 * 1024 * 1024,
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      keepAliveTimeoutMs: 65_000,
      shutdownDelayMs: 2000,
      shutdownTimeoutMs: 25_000,
      logLevel: 'info',
      workers: 1,
      workersFrom: { setting: 'default' },
    });
  });

  it('reads the environment, and flags win over it', () => {
    const c = parseConfig(['--port=9000', '--model-dir', '/m', '--log-level', 'debug'], {
      PORT: '7000',
      MODEL_DIR: '/env',
      MODEL_NAME: 'churn',
      DEFAULT_MODEL: 'churn',
      METRICS_PORT: '9100',
      MAX_BATCH_SIZE: '10',
      MAX_CONCURRENT_REQUESTS: '4',
      BODY_LIMIT_BYTES: '2048',
      REQUEST_TIMEOUT_SECONDS: '5',
      HEADERS_TIMEOUT_SECONDS: '2.5',
      KEEP_ALIVE_TIMEOUT_SECONDS: '70',
      SHUTDOWN_DELAY_SECONDS: '0',
      SHUTDOWN_TIMEOUT_SECONDS: '10',
    });
    expect(c).toMatchObject({
      port: 9000,
      portSource: '--port',
      modelDir: '/m',
      modelName: 'churn',
      defaultModel: 'churn',
      metricsPort: 9100,
      logLevel: 'debug',
      maxBatchSize: 10,
      maxConcurrentRequests: 4,
      bodyLimitBytes: 2048,
      requestTimeoutMs: 5000,
      headersTimeoutMs: 2500,
      keepAliveTimeoutMs: 70_000,
      shutdownDelayMs: 0,
      shutdownTimeoutMs: 10_000,
    });
  });

  it('accepts `serve` as the first argument (SageMaker) and uses SAGEMAKER_BIND_TO_PORT over PORT', () => {
    const c = parseConfig(['serve'], {
      PORT: '8080',
      SAGEMAKER_BIND_TO_PORT: '8081',
      SAGEMAKER_MODEL_DIR: '/tmp/m',
    });
    expect(c).toMatchObject({
      port: 8081,
      portSource: 'SAGEMAKER_BIND_TO_PORT',
      sagemakerModelDir: '/tmp/m',
    });
    expect(parseConfig(['serve', '--port', '1'], { SAGEMAKER_BIND_TO_PORT: '8081' }).port).toBe(1);
  });

  it('turns on the Vertex routes and port with AIP_MODE=PREDICTION', () => {
    const env = {
      AIP_MODE: 'PREDICTION',
      AIP_HTTP_PORT: '8085',
      PORT: '8080',
      AIP_HEALTH_ROUTE: '/health',
      AIP_PREDICT_ROUTE: '/v1/endpoints/1/deployedModels/2:predict',
      AIP_STORAGE_URI: 'gs://my-bucket/models/bankchurn',
    };
    expect(parseConfig([], env)).toMatchObject({
      port: 8085,
      portSource: 'AIP_HTTP_PORT',
      vertex: { healthRoute: '/health', predictRoute: '/v1/endpoints/1/deployedModels/2:predict' },
      storageUri: 'gs://my-bucket/models/bankchurn',
    });
    // Without AIP_MODE the AIP_ variables do not move the port or add routes.
    expect(parseConfig([], { ...env, AIP_MODE: '' })).toMatchObject({ port: 8080, vertex: undefined });
  });

  it.each([
    [['--port', 'abc'], {}, '--port="abc": expected an integer from 0 to 65535'],
    [[], { PORT: '70000' }, 'PORT="70000": expected an integer from 0 to 65535'],
    [[], { METRICS_PORT: '-1' }, 'METRICS_PORT="-1": expected an integer from 0 to 65535'],
    [[], { MAX_BATCH_SIZE: '0' }, 'MAX_BATCH_SIZE="0": expected an integer from 1 to 100000'],
    [
      [],
      { MAX_CONCURRENT_REQUESTS: '1.5' },
      'MAX_CONCURRENT_REQUESTS="1.5": expected an integer from 1 to 10000',
    ],
    [[], { BODY_LIMIT_BYTES: '10' }, 'BODY_LIMIT_BYTES="10": expected an integer from 1024 to 67108864'],
    [
      [],
      { REQUEST_TIMEOUT_SECONDS: 'soon' },
      'REQUEST_TIMEOUT_SECONDS="soon": expected a number of seconds from 1 to 600',
    ],
    [
      [],
      { HEADERS_TIMEOUT_SECONDS: '40' },
      'HEADERS_TIMEOUT_SECONDS=40 must not exceed REQUEST_TIMEOUT_SECONDS=30',
    ],
    [
      [],
      { SHUTDOWN_DELAY_SECONDS: '30' },
      'SHUTDOWN_TIMEOUT_SECONDS=25 must be greater than SHUTDOWN_DELAY_SECONDS=30',
    ],
    [
      [],
      { LOG_LEVEL: 'loud' },
      'LOG_LEVEL="loud": expected one of fatal, error, warn, info, debug, trace, silent',
    ],
    [[], { AIP_MODE: 'TRAINING' }, 'AIP_MODE="TRAINING": expected PREDICTION (or unset)'],
    [
      [],
      { AIP_MODE: 'PREDICTION', AIP_PREDICT_ROUTE: '/p' },
      'AIP_HEALTH_ROUTE is required when AIP_MODE=PREDICTION',
    ],
    [
      [],
      { AIP_MODE: 'PREDICTION', AIP_HEALTH_ROUTE: 'h', AIP_PREDICT_ROUTE: '/p' },
      'AIP_HEALTH_ROUTE="h": expected a path starting with /',
    ],
    [
      [],
      { AIP_STORAGE_URI: 's3://bucket/x' },
      'AIP_STORAGE_URI="s3://bucket/x": expected gs://bucket or gs://bucket/prefix',
    ],
    [
      ['--verbose'],
      {},
      'unknown flag --verbose; flags: --port, --host, --metrics-port, --model-dir, --model-name, --default-model, --workers, --log-level, --help',
    ],
    [['run'], {}, 'unexpected argument "run"; only "serve" is accepted, as the first argument'],
    [['--port'], {}, '--port needs a value'],
  ])('rejects %j %j naming the setting and what it accepts', (argv, env, message) => {
    expect(problems(argv as string[], env as Record<string, string>)).toEqual([message]);
  });

  it('reports every problem at once', () => {
    expect(problems([], { PORT: 'x', LOG_LEVEL: 'y' })).toHaveLength(2);
    expect(() => parseConfig([], { PORT: 'x' })).toThrow(/invalid configuration:\n {2}- PORT="x"/);
  });

  it('answers --help with every setting', () => {
    expect(() => parseConfig(['--help'], {})).toThrow(HelpRequested);
    for (const name of [
      'PORT',
      'METRICS_PORT',
      'MODEL_DIR',
      'DEFAULT_MODEL',
      'MAX_BATCH_SIZE',
      'SHUTDOWN_DELAY_SECONDS',
      'AIP_STORAGE_URI',
    ]) {
      expect(HELP_TEXT).toContain(name);
    }
  });
});
