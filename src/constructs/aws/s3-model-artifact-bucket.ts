import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import { packModelTarball } from '../../artifact/model-tarball';
import { isKnown, PropsProblems } from '../props-problems';

/** S3's limit for `bucket_prefix` (Terraform appends a 26-character unique suffix to reach 63). */
const BUCKET_PREFIX_MAX = 37;
/** The file name SageMaker expects for a model artifact. */
export const MODEL_ARTIFACT_FILE = 'model.tar.gz';

export interface S3ModelArtifactBucketProps {
  /** The model bundle directory packed into `model.tar.gz` at synth (absolute, or relative to the cwd). */
  readonly bundleDir: string;
  /** Start of the bucket's name (lowercase letters, digits, -), at most 37 characters; S3 adds a unique suffix. */
  readonly bucketPrefix: string;
  /** Key prefix of the artifact; the key ends in the artifact's sha256 and `model.tar.gz`. @default 'models' */
  readonly keyPrefix?: string;
  /** Encrypt with this customer managed key (SSE-KMS). @default - S3-managed keys (SSE-S3) */
  readonly kmsKeyArn?: string;
  /** Empty the bucket (every version) on destroy, so `cdktf destroy` leaves nothing behind. @default true */
  readonly forceDestroy?: boolean;
}

/**
 * A private bucket holding one model artifact: public access blocked, ACLs disabled, encrypted (SSE-KMS
 * with a configured key), versioned, TLS-only, emptied on destroy. The artifact is packed reproducibly at
 * synth and handed to Terraform as an asset (a path relative to the stack's folder); its key carries its
 * sha256, so a new artifact is a new object and everything that reads it is replaced, never left on the old
 * bytes. `source_hash`, not `etag`: an SSE-KMS object's ETag is not the MD5 of its content.
 */
export class S3ModelArtifactBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly object: S3Object;
  /** sha256 (hex) of the packed model.tar.gz. */
  readonly sha256: string;
  /** `s3://<bucket>/<key>`: the model's `model_data_url`. */
  readonly modelDataUrl: string;
  /** ARN of the artifact object, for `s3:GetObject` grants. */
  readonly objectArn: string;
  /** The key the bucket is encrypted with, when one is configured. */
  readonly kmsKeyArn?: string;

  constructor(scope: Construct, id: string, props: S3ModelArtifactBucketProps) {
    super(scope, id);
    validate(id, props);
    const tarball = packModelTarball(props.bundleDir);
    this.sha256 = tarball.sha256;
    const packed = writePackedArtifact(tarball.bytes, tarball.sha256);
    const asset = new TerraformAsset(this, 'artifact', {
      path: packed,
      type: AssetType.FILE,
      assetHash: tarball.sha256,
    });

    this.bucket = new S3Bucket(this, 'bucket', {
      bucketPrefix: props.bucketPrefix,
      forceDestroy: props.forceDestroy ?? true,
    });
    new S3BucketOwnershipControls(this, 'ownership', {
      bucket: this.bucket.id,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    const publicAccess = new S3BucketPublicAccessBlock(this, 'public-access', {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const encryption = new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: this.bucket.id,
      rule: [
        {
          applyServerSideEncryptionByDefault: props.kmsKeyArn
            ? { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.kmsKeyArn }
            : { sseAlgorithm: 'AES256' },
          // S3 Bucket Keys cut KMS requests (and their cost) for SSE-KMS; ignored for SSE-S3.
          bucketKeyEnabled: props.kmsKeyArn !== undefined,
        },
      ],
    });
    const versioning = new S3BucketVersioningA(this, 'versioning', {
      bucket: this.bucket.id,
      versioningConfiguration: { status: 'Enabled' },
    });
    new S3BucketPolicy(this, 'tls-only', {
      bucket: this.bucket.id,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      }),
      // S3 refuses a bucket policy while the public access block is still being applied.
      dependsOn: [publicAccess],
    });

    const key = `${props.keyPrefix ?? 'models'}/${tarball.sha256}/${MODEL_ARTIFACT_FILE}`;
    this.object = new S3Object(this, 'model-tar-gz', {
      bucket: this.bucket.id,
      key,
      source: asset.path,
      sourceHash: tarball.sha256,
      contentType: 'application/gzip',
      ...(props.kmsKeyArn ? { serverSideEncryption: 'aws:kms', kmsKeyId: props.kmsKeyArn } : {}),
      // Written after the bucket's encryption and versioning are in place, so it gets both.
      dependsOn: [encryption, versioning],
    });
    this.modelDataUrl = `s3://${this.bucket.bucket}/${key}`;
    this.objectArn = `${this.bucket.arn}/${key}`;
    if (props.kmsKeyArn) this.kmsKeyArn = props.kmsKeyArn;
  }
}

function validate(id: string, props: S3ModelArtifactBucketProps): void {
  const problems = new PropsProblems('S3ModelArtifactBucket', id);
  const prefix = props.bucketPrefix;
  if (isKnown(prefix) && !(/^[a-z0-9][a-z0-9.-]*$/.test(prefix) && prefix.length <= BUCKET_PREFIX_MAX)) {
    problems.add(
      `bucketPrefix: got ${JSON.stringify(prefix)}; expected 1-${BUCKET_PREFIX_MAX} lowercase letters, digits, . and -`,
    );
  }
  problems.throwIfAny();
}

/**
 * Where the packed artifact waits for the asset to copy it into cdktf.out at synth: a folder named by its
 * sha256 under the temp directory, so repeated synths reuse one file instead of leaving one each. Written
 * under a unique name and renamed, so two synths at once never see a half-written file.
 */
function writePackedArtifact(bytes: Buffer, sha256: string): string {
  const dir = path.join(tmpdir(), 'model-serving-artifacts', sha256);
  const file = path.join(dir, MODEL_ARTIFACT_FILE);
  // Reused only if its bytes are still the ones named (the temp directory is shared with other programs).
  if (existsSync(file) && readFileSync(file).equals(bytes)) return file;
  mkdirSync(dir, { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, bytes);
  renameSync(partial, file);
  return file;
}
