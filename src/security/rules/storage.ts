import type { ResourceView, Rule, StackView, Violation } from '../finding';
import { block, blocks, isTrue, ofType, pointsAt, policyStatements, strings } from '../json';

/** Resources of `type` that configure `bucket` (by reference or by the same literal name). */
function forBucket(stack: StackView, type: string, bucket: ResourceView): ResourceView[] {
  return ofType(stack, type).filter((r) => pointsAt(r.config.bucket, bucket, [bucket.config.bucket]));
}

const PUBLIC_ACCESS_SETTINGS = [
  'block_public_acls',
  'block_public_policy',
  'ignore_public_acls',
  'restrict_public_buckets',
] as const;

const PUBLIC_ACLS = ['public-read', 'public-read-write', 'authenticated-read'];
const PUBLIC_MEMBERS = ['allUsers', 'allAuthenticatedUsers'];

export const s3PublicAccessBlock: Rule = {
  id: 'storage.s3-no-public-access',
  family: 'storage',
  description: 'Every S3 bucket blocks public access (all four settings) and has no public ACL.',
  fix: 'add an aws_s3_bucket_public_access_block for the bucket with block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets all true; drop public ACLs',
  check: (stack) => {
    const violations: Violation[] = [];
    for (const bucket of ofType(stack, 'aws_s3_bucket')) {
      const blocksOf = forBucket(stack, 'aws_s3_bucket_public_access_block', bucket);
      if (!blocksOf.some((b) => PUBLIC_ACCESS_SETTINGS.every((s) => isTrue(b.config[s])))) {
        violations.push({ resource: bucket, message: 'public access is not blocked on the bucket' });
      }
      if (PUBLIC_ACLS.includes(bucket.config.acl)) {
        violations.push({
          resource: bucket,
          message: `the bucket has the public ACL '${bucket.config.acl}'`,
        });
      }
    }
    for (const settings of ofType(stack, 'aws_s3_bucket_public_access_block')) {
      const off = PUBLIC_ACCESS_SETTINGS.filter((s) => !isTrue(settings.config[s]));
      if (off.length > 0) violations.push({ resource: settings, message: `${off.join(', ')} not true` });
    }
    for (const acl of ofType(stack, 'aws_s3_bucket_acl')) {
      if (PUBLIC_ACLS.includes(acl.config.acl)) {
        violations.push({ resource: acl, message: `public ACL '${acl.config.acl}'` });
      }
    }
    return violations;
  },
};

export const s3Encryption: Rule = {
  id: 'storage.s3-encryption',
  family: 'storage',
  description: 'Every S3 bucket has an explicit server-side encryption configuration (SSE-S3 or SSE-KMS).',
  fix: 'add an aws_s3_bucket_server_side_encryption_configuration for the bucket (sse_algorithm aws:kms with the configured key, else AES256)',
  check: (stack) =>
    ofType(stack, 'aws_s3_bucket')
      .filter(
        (bucket) =>
          !forBucket(stack, 'aws_s3_bucket_server_side_encryption_configuration', bucket).some((sse) =>
            blocks(sse.config.rule).some((r) =>
              ['aws:kms', 'aws:kms:dsse', 'AES256'].includes(
                block(r.apply_server_side_encryption_by_default).sse_algorithm,
              ),
            ),
          ),
      )
      .map((bucket) => ({ resource: bucket, message: 'no server-side encryption configuration' })),
};

export const s3TlsOnly: Rule = {
  id: 'storage.s3-tls-only',
  family: 'storage',
  description: 'Every S3 bucket policy denies requests that do not use TLS (aws:SecureTransport false).',
  fix: 'add an aws_s3_bucket_policy with a Deny statement for all principals and actions s3:* on the bucket and its objects when Bool aws:SecureTransport is false',
  check: (stack) =>
    ofType(stack, 'aws_s3_bucket')
      .filter(
        (bucket) =>
          !forBucket(stack, 'aws_s3_bucket_policy', bucket).some((policy) =>
            (policyStatements(stack, policy.config.policy) ?? []).some(
              (s) =>
                s.effect === 'Deny' &&
                s.conditions.some(
                  (c) =>
                    c.variable.toLowerCase() === 'aws:securetransport' &&
                    c.test.toLowerCase() === 'bool' &&
                    c.values.map(String).includes('false'),
                ),
            ),
          ),
      )
      .map((bucket) => ({ resource: bucket, message: 'no bucket policy denies plain-HTTP requests' })),
};

export const gcsNoPublicAccess: Rule = {
  id: 'storage.gcs-no-public-access',
  family: 'storage',
  description:
    'Every GCS bucket enforces public access prevention and uniform bucket-level access, and no bucket IAM grants allUsers or allAuthenticatedUsers.',
  fix: 'set public_access_prevention = "enforced" and uniform_bucket_level_access = true on the bucket; grant named members only',
  check: (stack) => {
    const violations: Violation[] = [];
    for (const bucket of ofType(stack, 'google_storage_bucket')) {
      if (bucket.config.public_access_prevention !== 'enforced') {
        violations.push({ resource: bucket, message: 'public_access_prevention is not "enforced"' });
      }
      if (!isTrue(bucket.config.uniform_bucket_level_access)) {
        violations.push({ resource: bucket, message: 'uniform_bucket_level_access is not true' });
      }
    }
    for (const grant of ofType(
      stack,
      'google_storage_bucket_iam_member',
      'google_storage_bucket_iam_binding',
      'google_storage_bucket_access_control',
      'google_storage_default_object_access_control',
      'google_storage_object_access_control',
    )) {
      const members = [
        ...strings(grant.config.member),
        ...strings(grant.config.members),
        ...strings(grant.config.entity),
      ];
      const open = members.filter((m) => PUBLIC_MEMBERS.includes(m));
      if (open.length > 0)
        violations.push({ resource: grant, message: `grants access to ${open.join(', ')}` });
    }
    return violations;
  },
};

export const ecrImmutableTags: Rule = {
  id: 'storage.registry-immutable-tags',
  family: 'storage',
  description: 'Container registries (ECR, Artifact Registry docker) refuse to overwrite a tag.',
  fix: 'ECR: image_tag_mutability = "IMMUTABLE"; Artifact Registry: docker_config { immutable_tags = true }',
  check: (stack) => [
    ...ofType(stack, 'aws_ecr_repository')
      .filter((r) => !String(r.config.image_tag_mutability ?? 'MUTABLE').startsWith('IMMUTABLE'))
      .map((resource) => ({ resource, message: 'image tags are mutable' })),
    ...ofType(stack, 'google_artifact_registry_repository')
      .filter(
        (r) =>
          (r.config.format ?? 'DOCKER') === 'DOCKER' && !isTrue(block(r.config.docker_config).immutable_tags),
      )
      .map((resource) => ({ resource, message: 'docker_config.immutable_tags is not true' })),
  ],
};

export const ecrScanOnPush: Rule = {
  id: 'storage.ecr-scan-on-push',
  family: 'storage',
  description: 'ECR repositories scan every pushed image for known vulnerabilities.',
  fix: 'set image_scanning_configuration { scan_on_push = true } on the repository (or an aws_ecr_registry_scanning_configuration with scan frequency SCAN_ON_PUSH)',
  check: (stack) => {
    const registryScan = ofType(stack, 'aws_ecr_registry_scanning_configuration').some((c) =>
      blocks(c.config.rule).some((r) => ['SCAN_ON_PUSH', 'CONTINUOUS_SCAN'].includes(r.scan_frequency)),
    );
    if (registryScan) return [];
    return ofType(stack, 'aws_ecr_repository')
      .filter((r) => !isTrue(block(r.config.image_scanning_configuration).scan_on_push))
      .map((resource) => ({ resource, message: 'scan on push is off' }));
  },
};

export const artifactRegistryScanningChoice: Rule = {
  id: 'storage.artifact-registry-scanning-choice',
  family: 'storage',
  description:
    'Artifact Registry docker repositories state whether Artifact Analysis scans pushed images (it bills per image scanned, so it is a choice, never an accident of project settings).',
  fix: 'set vulnerability_scanning_config { enablement_config = "INHERITED" } to scan (with containerscanning.googleapis.com enabled) or "DISABLED" (config: image.gcp.vulnerabilityScanning)',
  check: (stack) =>
    ofType(stack, 'google_artifact_registry_repository')
      .filter(
        (r) =>
          (r.config.format ?? 'DOCKER') === 'DOCKER' &&
          !['INHERITED', 'DISABLED'].includes(
            block(r.config.vulnerability_scanning_config).enablement_config,
          ),
      )
      .map((resource) => ({
        resource,
        message: 'vulnerability_scanning_config.enablement_config is not set',
      })),
};

export const STORAGE_RULES: readonly Rule[] = [
  s3PublicAccessBlock,
  s3Encryption,
  s3TlsOnly,
  gcsNoPublicAccess,
  ecrImmutableTags,
  ecrScanOnPush,
  artifactRegistryScanningChoice,
];
