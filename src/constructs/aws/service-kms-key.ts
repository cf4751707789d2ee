import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import type { Construct } from 'constructs';

export interface ServiceKmsKeyProps {
  readonly description: string;
  /** The AWS service that encrypts with the key, e.g. `cloudwatch.amazonaws.com`. */
  readonly servicePrincipal: string;
  /** Statement id of the service's grant (names the use in the key policy). */
  readonly serviceSid: string;
  /** The account's id and partition (data sources of the caller's construct). */
  readonly accountId: string;
  readonly partition: string;
}

/**
 * A customer managed key that one AWS service of this account may use to encrypt (rotation on, 7-day
 * deletion window). Customer managed because AWS managed keys (`alias/aws/sns`, …) cannot grant another
 * service: CloudWatch alarms cannot publish to a topic under `alias/aws/sns`.
 */
export function serviceKmsKey(scope: Construct, id: string, props: ServiceKmsKeyProps): KmsKey {
  return new KmsKey(scope, id, {
    description: props.description,
    enableKeyRotation: true,
    deletionWindowInDays: 7,
    policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AccountAdministers',
          Effect: 'Allow',
          Principal: { AWS: `arn:${props.partition}:iam::${props.accountId}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
        {
          Sid: props.serviceSid,
          Effect: 'Allow',
          Principal: { Service: props.servicePrincipal },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
          Condition: { StringEquals: { 'aws:SourceAccount': props.accountId } },
        },
      ],
    }),
  });
}
