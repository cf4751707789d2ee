import {
  noFullAccessManagedPolicies,
  noPrimitiveRoles,
  noStarOnStar,
  noWildcardPassRole,
  resourceLevelGrants,
} from '../../src/security/rules/iam';
import { resources, violations } from './helpers';

const document = (statement: object[]) => ({ data: { aws_iam_policy_document: { doc: { statement } } } });

describe('IAM rules', () => {
  test('"*" on "*" is caught in policy documents and in literal policies', () => {
    expect(violations(noStarOnStar, document([{ actions: ['*'], resources: ['*'] }]))).toEqual([
      'aws_iam_policy_document.doc: a statement allows "*" on "*"',
    ]);
    const literal = resources({
      aws_iam_role_policy: {
        p: { policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) },
      },
    });
    expect(violations(noStarOnStar, literal)).toEqual([
      'aws_iam_role_policy.p: a statement allows "*" on "*"',
    ]);
    expect(
      violations(noStarOnStar, document([{ effect: 'Deny', actions: ['*'], resources: ['*'] }])),
    ).toEqual([]);
    expect(violations(noStarOnStar, document([{ actions: ['s3:GetObject'], resources: ['*'] }]))).toEqual([]);
  });

  test('iam:PassRole (or iam:*) on a wildcard resource is caught', () => {
    expect(
      violations(noWildcardPassRole, document([{ actions: ['iam:PassRole'], resources: ['*'] }])),
    ).toHaveLength(1);
    expect(
      violations(
        noWildcardPassRole,
        document([{ actions: ['iam:*'], resources: ['arn:aws:iam::123456789012:role/*'] }]),
      ),
    ).toHaveLength(1);
    expect(
      violations(
        noWildcardPassRole,
        document([
          { actions: ['iam:PassRole'], resources: ['arn:aws:iam::123456789012:role/sagemaker-exec'] },
        ]),
      ),
    ).toEqual([]);
  });

  test('AWS managed *FullAccess and AdministratorAccess attachments are caught', () => {
    const json = resources({
      aws_iam_role_policy_attachment: {
        s3: {
          role: 'r',
          policy_arn: `arn:\${data.aws_partition.p.partition}:iam::aws:policy/AmazonS3FullAccess`,
        },
        admin: { role: 'r', policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
        eks: { role: 'r', policy_arn: 'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy' },
        own: { role: 'r', policy_arn: 'arn:aws:iam::123456789012:policy/MyFullAccess' },
      },
    });
    expect(violations(noFullAccessManagedPolicies, json)).toEqual([
      'aws_iam_role_policy_attachment.s3: attaches the AWS managed policy AmazonS3FullAccess',
      'aws_iam_role_policy_attachment.admin: attaches the AWS managed policy AdministratorAccess',
    ]);
  });

  test('GCP owner/editor grants are caught, also inside a policy document', () => {
    const json = resources(
      {
        google_project_iam_member: { m: { role: 'roles/editor', member: 'serviceAccount:x' } },
        google_project_iam_policy: { p: { policy_data: `\${data.google_iam_policy.admin.policy_data}` } },
        google_storage_bucket_iam_member: { ok: { role: 'roles/storage.objectViewer' } },
      },
      { data: { google_iam_policy: { admin: { binding: [{ role: 'roles/owner', members: ['user:a'] }] } } } },
    );
    expect(violations(noPrimitiveRoles, json)).toEqual([
      'google_project_iam_member.m: grants the primitive role roles/editor',
      'google_project_iam_policy.p: grants the primitive role roles/owner',
    ]);
  });

  test('a role the provider can grant on the resource, granted on the project, is caught', () => {
    const json = resources({
      google_project_iam_member: {
        reader: { role: 'roles/artifactregistry.reader', member: 'serviceAccount:n' },
        logs: { role: 'roles/logging.logWriter', member: 'serviceAccount:n' },
      },
      google_artifact_registry_repository_iam_member: { ok: { role: 'roles/artifactregistry.reader' } },
    });
    expect(violations(resourceLevelGrants, json)).toEqual([
      'google_project_iam_member.reader: grants roles/artifactregistry.reader on the whole project; use google_artifact_registry_repository_iam_member',
    ]);
  });
});
