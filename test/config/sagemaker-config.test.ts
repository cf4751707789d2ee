import { LOG_LEVELS } from '../../model-server/src/config';
import { parseConfig } from '../../src/config/load';
import { SERVER_LOG_LEVELS } from '../../src/constructs/aws/sagemaker-model-endpoint-props';
import { problemsOf as configProblems } from './helpers/problems';

const problemsOf = (sagemaker: unknown): string[] => configProblems({ sagemaker });

describe('sagemaker config', () => {
  test('defaults: bankchurn on one ml.t2.medium scaling to two, no TTL, endpoint named <project>-<environment>', () => {
    expect(parseConfig({}).sagemaker).toEqual({
      endpointName: 'model-serving-demo',
      model: 'bankchurn',
      capacity: {
        kind: 'instances',
        instanceType: 'ml.t2.medium',
        initialInstanceCount: 1,
        minInstanceCount: 1,
        maxInstanceCount: 2,
        targetInvocationsPerInstancePerMinute: 300,
      },
      logRetentionInDays: 30,
      logLevel: 'info',
    });
  });

  test('initial instance count defaults to the minimum', () => {
    expect(
      parseConfig({ sagemaker: { minInstanceCount: 2, maxInstanceCount: 3 } }).sagemaker.capacity,
    ).toMatchObject({
      initialInstanceCount: 2,
    });
  });

  test('serverless mode with its defaults', () => {
    const { sagemaker } = parseConfig({
      sagemaker: { serverless: {}, ttlHours: 4, kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/abc' },
    });
    expect(sagemaker.capacity).toEqual({ kind: 'serverless', memorySizeInMb: 2048, maxConcurrency: 5 });
    expect(sagemaker.ttlHours).toBe(4);
  });

  test('an instance type that is not ml.*', () => {
    expect(problemsOf({ instanceType: 't3.medium' })).toEqual([
      'sagemaker.instanceType: got "t3.medium"; expected a SageMaker instance type such as ml.t2.medium (ml.<family>.<size>)',
    ]);
  });

  test('min above max (max from its default)', () => {
    expect(problemsOf({ minInstanceCount: 3 })).toEqual([
      'sagemaker.minInstanceCount: got 3; expected <= maxInstanceCount (2)',
    ]);
  });

  test('initial outside min..max', () => {
    expect(problemsOf({ initialInstanceCount: 5, maxInstanceCount: 4 })).toEqual([
      'sagemaker.initialInstanceCount: got 5; expected between minInstanceCount (1) and maxInstanceCount (4)',
    ]);
  });

  test('serverless with instance settings: one line per field', () => {
    expect(
      problemsOf({ serverless: {}, maxInstanceCount: 3, targetInvocationsPerInstancePerMinute: 100 }),
    ).toEqual([
      'sagemaker.maxInstanceCount: got 3; expected no instance setting with serverless (a serverless endpoint scales by serverless.maxConcurrency; remove one of the two)',
      'sagemaker.targetInvocationsPerInstancePerMinute: got 100; expected no instance setting with serverless (a serverless endpoint scales by serverless.maxConcurrency; remove one of the two)',
    ]);
  });

  test('serverless memory not a multiple of 1024 in range', () => {
    expect(problemsOf({ serverless: { memorySizeInMb: 1500 } })).toEqual([
      'sagemaker.serverless.memorySizeInMb: got 1500; expected a memory size in MB (allowed: 1024, 2048, 3072, 4096, 5120, 6144)',
    ]);
  });

  test('serverless concurrency above 200', () => {
    expect(problemsOf({ serverless: { maxConcurrency: 500 } })).toEqual([
      'sagemaker.serverless.maxConcurrency: got 500; expected an integer from 1 to 200',
    ]);
  });

  test('a model that is not bundled, without modelDir', () => {
    expect(problemsOf({ model: 'fraud' })).toEqual([
      'sagemaker.model: got "fraud"; expected a bundled model, or set modelDir (allowed: bankchurn, chicagotaxi, nlpinsight)',
    ]);
    expect(parseConfig({ sagemaker: { model: 'fraud', modelDir: 'bundles/fraud' } }).sagemaker).toMatchObject(
      {
        model: 'fraud',
        modelDir: 'bundles/fraud',
      },
    );
  });

  test('a model name that cannot prefix metrics', () => {
    expect(problemsOf({ model: 'Bank-Churn' })).toEqual([
      'sagemaker.model: got "Bank-Churn"; expected a model name: lowercase letters, digits and _, starting with a letter',
    ]);
  });

  test('a log retention CloudWatch does not offer', () => {
    expect(problemsOf({ logRetentionInDays: 10 })[0]).toMatch(
      /^sagemaker\.logRetentionInDays: got 10; expected a CloudWatch Logs retention \(allowed: 1, 3, 5, 7, 14, 30, /,
    );
  });

  test('ttlHours out of range', () => {
    expect(problemsOf({ ttlHours: 9000 })).toEqual([
      'sagemaker.ttlHours: got 9000; expected an integer from 1 to 8760',
    ]);
    expect(problemsOf({ ttlHours: 0 })).toEqual(['sagemaker.ttlHours: got 0; expected an integer >= 1']);
  });

  test('a bad endpoint name', () => {
    expect(problemsOf({ endpointName: 'churn_prod' })).toEqual([
      'sagemaker.endpointName: got "churn_prod"; expected a SageMaker endpoint name: 1-63 letters, digits and -, starting and ending with a letter or digit',
    ]);
  });

  test('a log level the server does not know', () => {
    expect(problemsOf({ logLevel: 'verbose' })).toEqual([
      'sagemaker.logLevel: got "verbose"; expected one of the allowed values (allowed: fatal, error, warn, info, debug, trace, silent)',
    ]);
  });

  test("the log levels are the server's own", () => {
    expect([...SERVER_LOG_LEVELS]).toEqual([...LOG_LEVELS]);
  });
});
