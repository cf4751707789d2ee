import {
  artifactRegistryScanningChoice,
  ecrImmutableTags,
  ecrScanOnPush,
  gcsNoPublicAccess,
  s3Encryption,
  s3PublicAccessBlock,
  s3TlsOnly,
} from '../../src/security/rules/storage';
import { resources, violations } from './helpers';

const BUCKET = { aws_s3_bucket: { artifacts: { bucket: 'models' } } };
const ref = `\${aws_s3_bucket.artifacts.id}`;
const blockAll = {
  block_public_acls: true,
  block_public_policy: true,
  ignore_public_acls: true,
  restrict_public_buckets: true,
};

describe('storage rules', () => {
  test('S3: a bucket without a full public access block, or with a public ACL, is caught', () => {
    expect(violations(s3PublicAccessBlock, resources(BUCKET))).toEqual([
      'aws_s3_bucket.artifacts: public access is not blocked on the bucket',
    ]);
    const partial = resources({
      ...BUCKET,
      aws_s3_bucket_public_access_block: {
        pab: { bucket: ref, ...blockAll, restrict_public_buckets: false },
      },
      aws_s3_bucket_acl: { acl: { bucket: ref, acl: 'public-read' } },
    });
    expect(violations(s3PublicAccessBlock, partial)).toEqual([
      'aws_s3_bucket.artifacts: public access is not blocked on the bucket',
      'aws_s3_bucket_public_access_block.pab: restrict_public_buckets not true',
      "aws_s3_bucket_acl.acl: public ACL 'public-read'",
    ]);
    const ok = resources({
      ...BUCKET,
      aws_s3_bucket_public_access_block: { pab: { bucket: ref, ...blockAll } },
    });
    expect(violations(s3PublicAccessBlock, ok)).toEqual([]);
    // By the bucket's literal name too.
    const byName = resources({
      ...BUCKET,
      aws_s3_bucket_public_access_block: { pab: { bucket: 'models', ...blockAll } },
    });
    expect(violations(s3PublicAccessBlock, byName)).toEqual([]);
  });

  test('S3: a bucket without a server-side encryption configuration is caught', () => {
    expect(violations(s3Encryption, resources(BUCKET))).toEqual([
      'aws_s3_bucket.artifacts: no server-side encryption configuration',
    ]);
    const kms = resources({
      ...BUCKET,
      aws_s3_bucket_server_side_encryption_configuration: {
        sse: {
          bucket: ref,
          rule: [
            { apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: 'k' } },
          ],
        },
      },
    });
    expect(violations(s3Encryption, kms)).toEqual([]);
  });

  test('S3: a bucket whose policy does not deny plain HTTP is caught (literal JSON and policy documents)', () => {
    const allowOnly = resources({
      ...BUCKET,
      aws_s3_bucket_policy: {
        p: {
          bucket: ref,
          policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:GetObject' }] }),
        },
      },
    });
    expect(violations(s3TlsOnly, allowOnly)).toEqual([
      'aws_s3_bucket.artifacts: no bucket policy denies plain-HTTP requests',
    ]);
    const literal = resources({
      ...BUCKET,
      aws_s3_bucket_policy: {
        p: {
          bucket: ref,
          policy: JSON.stringify({
            Statement: [
              {
                Effect: 'Deny',
                Principal: '*',
                Action: 's3:*',
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              },
            ],
          }),
        },
      },
    });
    expect(violations(s3TlsOnly, literal)).toEqual([]);
    const viaDocument = resources(
      {
        ...BUCKET,
        aws_s3_bucket_policy: { p: { bucket: ref, policy: `\${data.aws_iam_policy_document.tls.json}` } },
      },
      {
        data: {
          aws_iam_policy_document: {
            tls: {
              statement: [
                {
                  effect: 'Deny',
                  actions: ['s3:*'],
                  condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
                },
              ],
            },
          },
        },
      },
    );
    expect(violations(s3TlsOnly, viaDocument)).toEqual([]);
  });

  test('GCS: no public access prevention, no uniform access, or a grant to allUsers is caught', () => {
    const json = resources({
      google_storage_bucket: { b: { name: 'models' } },
      google_storage_bucket_iam_member: {
        m: { bucket: 'models', role: 'roles/storage.objectViewer', member: 'allUsers' },
      },
    });
    expect(violations(gcsNoPublicAccess, json)).toEqual([
      'google_storage_bucket.b: public_access_prevention is not "enforced"',
      'google_storage_bucket.b: uniform_bucket_level_access is not true',
      'google_storage_bucket_iam_member.m: grants access to allUsers',
    ]);
    const ok = resources({
      google_storage_bucket: {
        b: { public_access_prevention: 'enforced', uniform_bucket_level_access: true },
      },
    });
    expect(violations(gcsNoPublicAccess, ok)).toEqual([]);
  });

  test('registries: mutable tags on ECR or Artifact Registry are caught', () => {
    const json = resources({
      aws_ecr_repository: { r: { name: 'x', image_tag_mutability: 'MUTABLE' } },
      google_artifact_registry_repository: {
        g: { format: 'DOCKER', docker_config: { immutable_tags: false } },
      },
    });
    expect(violations(ecrImmutableTags, json)).toEqual([
      'aws_ecr_repository.r: image tags are mutable',
      'google_artifact_registry_repository.g: docker_config.immutable_tags is not true',
    ]);
    const ok = resources({
      aws_ecr_repository: { r: { image_tag_mutability: 'IMMUTABLE' } },
      google_artifact_registry_repository: {
        g: { format: 'DOCKER', docker_config: { immutable_tags: true } },
      },
    });
    expect(violations(ecrImmutableTags, ok)).toEqual([]);
  });

  test('ECR without scan on push is caught, unless the registry scans on push', () => {
    const json = resources({
      aws_ecr_repository: { r: { image_scanning_configuration: { scan_on_push: false } } },
    });
    expect(violations(ecrScanOnPush, json)).toEqual(['aws_ecr_repository.r: scan on push is off']);
    const registry = resources({
      aws_ecr_repository: { r: {} },
      aws_ecr_registry_scanning_configuration: { s: { rule: [{ scan_frequency: 'SCAN_ON_PUSH' }] } },
    });
    expect(violations(ecrScanOnPush, registry)).toEqual([]);
  });

  test('Artifact Registry docker repositories that leave scanning to project settings are caught', () => {
    const json = resources({
      google_artifact_registry_repository: {
        unset: { format: 'DOCKER' },
        odd: { format: 'DOCKER', vulnerability_scanning_config: { enablement_config: 'ENABLED' } },
        maven: { format: 'MAVEN' },
      },
    });
    expect(violations(artifactRegistryScanningChoice, json)).toEqual([
      'google_artifact_registry_repository.unset: vulnerability_scanning_config.enablement_config is not set',
      'google_artifact_registry_repository.odd: vulnerability_scanning_config.enablement_config is not set',
    ]);
    const ok = resources({
      google_artifact_registry_repository: {
        on: { format: 'DOCKER', vulnerability_scanning_config: { enablement_config: 'INHERITED' } },
        off: { vulnerability_scanning_config: { enablement_config: 'DISABLED' } },
      },
    });
    expect(violations(artifactRegistryScanningChoice, ok)).toEqual([]);
  });
});
