import { isKnown, type PropsProblems } from '../props-problems';

/**
 * Defaults of the SageMaker endpoint, shared by the config schema and the construct, and the checks of its
 * props. Each default says where it comes from.
 */

/** The instance of the comparison this project automates (the seed team's SageMaker endpoint). */
export const DEFAULT_SAGEMAKER_INSTANCE_TYPE = 'ml.t2.medium';
export const DEFAULT_SAGEMAKER_MIN_INSTANCE_COUNT = 1;
/** Room for one extra instance under load, no more: a demo must not surprise the bill. */
export const DEFAULT_SAGEMAKER_MAX_INSTANCE_COUNT = 2;
/**
 * Invocations per instance per minute that autoscaling keeps (the metric SageMakerVariantInvocationsPerInstance
 * is per minute). Conservative on purpose: a t2 is burstable and throttles to its baseline CPU once its
 * credits are spent, far below what the server does on a full core (`npm run bench`).
 */
export const DEFAULT_SAGEMAKER_TARGET_INVOCATIONS_PER_INSTANCE_PER_MINUTE = 300;
export const DEFAULT_SAGEMAKER_LOG_RETENTION_IN_DAYS = 30;
/** The one production variant (SageMaker's own default name). */
export const SAGEMAKER_VARIANT_NAME = 'AllTraffic';
/**
 * `ContainerStartupHealthCheckTimeoutInSeconds`. `npm run bench:sagemaker-start` measures the server from
 * spawn to its first 200 on `/ping` as SageMaker starts it (`serve`, bankchurn unpacked from the stack's
 * model.tar.gz): median 4.6 s, max 5.4 s over 7 starts on a 2-core machine at load average 15 (2026-12-01),
 * so an idle instance is faster still. The API's minimum, 60 s, leaves more than ten times that, and a
 * broken image fails the deployment (and rolls it back) within a minute instead of SageMaker's default wait.
 */
export const SAGEMAKER_CONTAINER_STARTUP_TIMEOUT_SECONDS = 60;
/** Scale out fast, scale in slowly (AWS's guidance for target tracking; one minute is the metric period). */
export const DEFAULT_SCALE_OUT_COOLDOWN_SECONDS = 60;
export const DEFAULT_SCALE_IN_COOLDOWN_SECONDS = 300;
/**
 * p99 `ModelLatency` above which the latency alarm fires, in MICROSECONDS (the unit of SageMaker's
 * ModelLatency metric): 500,000 µs = 0.5 s, several times what one explained bankchurn row takes.
 */
export const DEFAULT_MODEL_LATENCY_P99_THRESHOLD_MICROSECONDS = 500_000;
/** Invocation 5xx errors per minute that fire the error alarm. */
export const DEFAULT_INVOCATION_5XX_THRESHOLD = 1;
/** MemoryUtilization (%) of an instance that fires the memory alarm (instance mode only). */
export const DEFAULT_MEMORY_UTILIZATION_THRESHOLD_PERCENT = 85;
/** Blue/green: how long the new fleet serves all traffic under watch of the alarms before the old one goes. */
export const DEFAULT_BLUE_GREEN_BAKE_SECONDS = 300;
/** CloudWatch Logs' allowed retention periods (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
/** Serverless memory sizes SageMaker accepts (MB). */
export const SERVERLESS_MEMORY_SIZES_IN_MB = [1024, 2048, 3072, 4096, 5120, 6144] as const;
export const SERVERLESS_MAX_CONCURRENCY_LIMIT = 200;
/** The model server's log levels (LOG_LEVEL); a test keeps this equal to the server's own list. */
export const SERVER_LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type ServerLogLevel = (typeof SERVER_LOG_LEVELS)[number];
/** SageMaker endpoint names: CreateEndpoint's pattern. */
export const SAGEMAKER_ENDPOINT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
/** `ml.<family>.<size>`. */
export const SAGEMAKER_INSTANCE_TYPE = /^ml\.[a-z0-9-]+\.[a-z0-9]+$/;

/** Instances behind the endpoint, scaled by target tracking on invocations per instance. */
export interface SagemakerInstanceCapacity {
  readonly kind: 'instances';
  /** @default 'ml.t2.medium' */
  readonly instanceType?: string;
  /** @default - minInstanceCount */
  readonly initialInstanceCount?: number;
  /** @default 1 */
  readonly minInstanceCount?: number;
  /** @default 2 */
  readonly maxInstanceCount?: number;
  /** Target of SageMakerVariantInvocationsPerInstance, per minute. @default 300 */
  readonly targetInvocationsPerInstancePerMinute?: number;
  /** @default 60 */
  readonly scaleOutCooldownSeconds?: number;
  /** @default 300 */
  readonly scaleInCooldownSeconds?: number;
}

/** A serverless endpoint: no instances, no instance autoscaling; SageMaker scales by concurrency. */
export interface SagemakerServerlessCapacity {
  readonly kind: 'serverless';
  /** 1024 to 6144 in steps of 1024. */
  readonly memorySizeInMb: number;
  /** 1 to 200. */
  readonly maxConcurrency: number;
}

export type SagemakerCapacity = SagemakerInstanceCapacity | SagemakerServerlessCapacity;

export function checkCapacity(problems: PropsProblems, capacity: SagemakerCapacity): void {
  if (capacity.kind === 'serverless') {
    const { memorySizeInMb, maxConcurrency } = capacity;
    if (
      isKnown(memorySizeInMb) &&
      !(SERVERLESS_MEMORY_SIZES_IN_MB as readonly number[]).includes(memorySizeInMb)
    ) {
      problems.add(
        `capacity.memorySizeInMb: got ${memorySizeInMb}; expected one of ${SERVERLESS_MEMORY_SIZES_IN_MB.join(', ')}`,
      );
    }
    if (
      isKnown(maxConcurrency) &&
      (!Number.isInteger(maxConcurrency) ||
        maxConcurrency < 1 ||
        maxConcurrency > SERVERLESS_MAX_CONCURRENCY_LIMIT)
    ) {
      problems.add(
        `capacity.maxConcurrency: got ${maxConcurrency}; expected an integer from 1 to ${SERVERLESS_MAX_CONCURRENCY_LIMIT}`,
      );
    }
    return;
  }
  const type = capacity.instanceType;
  if (isKnown(type) && !SAGEMAKER_INSTANCE_TYPE.test(type)) {
    problems.add(
      `capacity.instanceType: got ${JSON.stringify(type)}; expected a SageMaker instance type such as ml.t2.medium`,
    );
  }
  const fields = [
    'initialInstanceCount',
    'minInstanceCount',
    'maxInstanceCount',
    'targetInvocationsPerInstancePerMinute',
  ] as const;
  for (const field of fields) {
    const value = capacity[field];
    if (isKnown(value) && (!Number.isInteger(value) || value < 1)) {
      problems.add(`capacity.${field}: got ${value}; expected an integer >= 1`);
    }
  }
  for (const field of ['scaleOutCooldownSeconds', 'scaleInCooldownSeconds'] as const) {
    const value = capacity[field];
    if (isKnown(value) && (!Number.isInteger(value) || value < 0)) {
      problems.add(`capacity.${field}: got ${value}; expected an integer >= 0`);
    }
  }
  const min = capacity.minInstanceCount ?? DEFAULT_SAGEMAKER_MIN_INSTANCE_COUNT;
  const max = capacity.maxInstanceCount ?? DEFAULT_SAGEMAKER_MAX_INSTANCE_COUNT;
  const initial = capacity.initialInstanceCount ?? min;
  if (isKnown(min) && isKnown(max) && min > max) {
    problems.add(`capacity.minInstanceCount: got ${min}; expected <= maxInstanceCount (${max})`);
  } else if (isKnown(initial) && isKnown(min) && isKnown(max) && (initial < min || initial > max)) {
    problems.add(
      `capacity.initialInstanceCount: got ${initial}; expected between minInstanceCount (${min}) and maxInstanceCount (${max})`,
    );
  }
}

/** Checks shared by every SageMaker construct's props: the endpoint name. */
export function checkEndpointName(problems: PropsProblems, endpointName: string): void {
  if (isKnown(endpointName) && !SAGEMAKER_ENDPOINT_NAME.test(endpointName)) {
    problems.add(
      `endpointName: got ${JSON.stringify(endpointName)}; expected 1-63 letters, digits and -, starting and ending with a letter or digit`,
    );
  }
}
