import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import type { Construct } from 'constructs';

export interface AlertTopicProps {
  readonly name: string;
  /** KMS key the topic is encrypted with; the publishing service must be allowed to use it. */
  readonly kmsKeyArn: string;
  /** The one service that may publish, e.g. `cloudwatch.amazonaws.com`. */
  readonly publisher: {
    readonly sid: string;
    readonly service: string;
    readonly actions: string | readonly string[];
    /** Condition of the publish grant (source account, source ARN). */
    readonly condition: Record<string, unknown>;
  };
  /** Addresses subscribed by email (each confirms once). @default [] */
  readonly notificationEmails?: readonly string[];
}

/**
 * An encrypted SNS topic for alerts: only `publisher` may publish, only over TLS, and each address in
 * `notificationEmails` is subscribed. Creates `topic`, `topic-policy` and `email-<address>` in `scope`.
 */
export function alertTopic(scope: Construct, props: AlertTopicProps): SnsTopic {
  const topic = new SnsTopic(scope, 'topic', { name: props.name, kmsMasterKeyId: props.kmsKeyArn });
  const { publisher } = props;
  new SnsTopicPolicy(scope, 'topic-policy', {
    arn: topic.arn,
    policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: publisher.sid,
          Effect: 'Allow',
          Principal: { Service: publisher.service },
          Action: publisher.actions,
          Resource: topic.arn,
          Condition: publisher.condition,
        },
        {
          Sid: 'TlsOnly',
          Effect: 'Deny',
          Principal: '*',
          Action: 'sns:Publish',
          Resource: topic.arn,
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    }),
  });
  for (const email of props.notificationEmails ?? []) {
    new SnsTopicSubscription(scope, `email-${email}`, {
      topicArn: topic.arn,
      protocol: 'email',
      endpoint: email,
    });
  }
  return topic;
}
