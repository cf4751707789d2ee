import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { SchedulerSchedule } from '@cdktf/provider-aws/lib/scheduler-schedule';
import { Offset } from '@cdktf/provider-time/lib/offset';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { isKnown, PropsProblems } from '../props-problems';
import { serviceTrust } from './sagemaker-model-endpoint';
import { checkEndpointName } from './sagemaker-model-endpoint-props';

/** EventBridge Scheduler's universal target for SageMaker's DeleteEndpoint (the SDK call, camelCase). */
export const DELETE_ENDPOINT_TARGET_ARN = 'arn:aws:scheduler:::aws-sdk:sagemaker:deleteEndpoint';
/** The longest time-to-live accepted: a year. */
export const MAX_TTL_HOURS = 8760;

export interface EndpointTimeToLiveProps {
  /** Name of the endpoint to delete (`SagemakerEndpoint.name`, so the schedule follows the endpoint). */
  readonly endpointName: string;
  /**
   * ARN of the endpoint (`SagemakerEndpoint.arn`): the only resource the schedule's role may delete, and the
   * value that re-bases the time-to-live whenever the endpoint is (re)created. Take it from the resource:
   * SageMaker lowercases the name in ARNs.
   */
  readonly endpointArn: string;
  /** Hours after the endpoint's (re)creation at which it is deleted. */
  readonly ttlHours: number;
}

/**
 * Deletes a SageMaker endpoint a fixed time after it was created: an EventBridge Scheduler one-time
 * schedule `at(…)` in UTC, whose universal target calls DeleteEndpoint with a role allowed exactly that on
 * exactly that endpoint. Needs a `TimeProvider` and an `AwsProvider` in the stack.
 *
 * The time is computed by Terraform at apply (`time_offset`), never at synth. The offset is replaced
 * whenever the endpoint's ARN is not known at plan, which is exactly when the endpoint is being created:
 * on the first deploy, and on the deploy after the schedule fired (the endpoint is gone from the account,
 * so Terraform plans to create it again). The new time-to-live then counts from that deploy instead of
 * leaving a time in the past in the state. After it fires, the schedule deletes itself
 * (`action_after_completion = DELETE`): nothing completed is left in the account, Terraform's refresh
 * drops it from the state, and the next deploy creates it afresh with the re-based time.
 */
export class EndpointTimeToLive extends Construct {
  readonly schedule: SchedulerSchedule;
  readonly role: IamRole;
  readonly offset: Offset;

  constructor(scope: Construct, id: string, props: EndpointTimeToLiveProps) {
    super(scope, id);
    validate(id, props);
    const account = new DataAwsCallerIdentity(this, 'account', {});
    this.offset = new Offset(this, 'expiry', {
      offsetHours: props.ttlHours,
      // Unknown while the endpoint is being created: that forces a new offset, based on that apply's clock.
      triggers: { endpoint_arn: props.endpointArn },
    });
    this.role = new IamRole(this, 'role', {
      namePrefix: 'sagemaker-ttl-',
      description: 'Lets EventBridge Scheduler delete one SageMaker endpoint when its time-to-live ends',
      assumeRolePolicy: JSON.stringify(serviceTrust('scheduler.amazonaws.com', account.accountId)),
    });
    const policy = new IamRolePolicy(this, 'policy', {
      role: this.role.id,
      name: 'delete-endpoint',
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DeleteThisEndpoint',
            Effect: 'Allow',
            Action: 'sagemaker:DeleteEndpoint',
            Resource: props.endpointArn,
          },
        ],
      }),
    });
    this.schedule = new SchedulerSchedule(this, 'schedule', {
      namePrefix: 'sagemaker-ttl-',
      description: `Deletes SageMaker endpoint ${props.endpointName} ${props.ttlHours} h after it was created`,
      scheduleExpression: `at(${Fn.formatdate("YYYY-MM-DD'T'hh:mm:ss", this.offset.rfc3339)})`,
      scheduleExpressionTimezone: 'UTC',
      flexibleTimeWindow: { mode: 'OFF' },
      actionAfterCompletion: 'DELETE',
      target: {
        arn: DELETE_ENDPOINT_TARGET_ARN,
        roleArn: this.role.arn,
        input: Fn.jsonencode({ EndpointName: props.endpointName }),
        retryPolicy: { maximumRetryAttempts: 10, maximumEventAgeInSeconds: 3600 },
      },
      // The role must allow the call before the schedule can ever fire.
      dependsOn: [policy],
    });
  }
}

function validate(id: string, props: EndpointTimeToLiveProps): void {
  const problems = new PropsProblems('EndpointTimeToLive', id);
  checkEndpointName(problems, props.endpointName);
  const hours = props.ttlHours;
  if (isKnown(hours) && !(Number.isInteger(hours) && hours >= 1 && hours <= MAX_TTL_HOURS)) {
    problems.add(`ttlHours: got ${hours}; expected an integer from 1 to ${MAX_TTL_HOURS}`);
  }
  problems.throwIfAny();
}
