import { isKnown, type PropsProblems } from '../props-problems';
import { LOG_RETENTION_DAYS } from './sagemaker-model-endpoint-props';

/** CloudWatch Logs takes only its listed retention periods; anything else fails at apply, not at synth. */
export function checkLogRetention(problems: PropsProblems, days: number | undefined): void {
  if (isKnown(days) && !(LOG_RETENTION_DAYS as readonly number[]).includes(days)) {
    problems.add(
      `logRetentionInDays: got ${days}; expected a CloudWatch Logs retention (allowed: ${LOG_RETENTION_DAYS.join(', ')})`,
    );
  }
}
