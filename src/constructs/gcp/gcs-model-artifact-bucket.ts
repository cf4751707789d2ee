import { DataGoogleStorageProjectServiceAccount } from '@cdktf/provider-google/lib/data-google-storage-project-service-account';
import { KmsCryptoKeyIamMember } from '@cdktf/provider-google/lib/kms-crypto-key-iam-member';
import { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket';
import { StorageBucketIamMember } from '@cdktf/provider-google/lib/storage-bucket-iam-member';
import { StorageBucketObject } from '@cdktf/provider-google/lib/storage-bucket-object';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { ModelBundle } from '../../config/model-bundle';
import { isKnown, PropsProblems } from '../props-problems';

/** Old object versions are kept this long (a rollback window), then deleted so they stop costing. */
export const DEFAULT_NONCURRENT_VERSION_DAYS = 30;
/** Hex digits of the bundle's content hash in its object prefix (64 bits: collisions are not a concern). */
const PREFIX_HASH_LENGTH = 16;

export interface GcsModelArtifactBucketProps {
  /** Globally unique bucket name. */
  readonly bucketName: string;
  /** Region of the bucket; Vertex AI needs the artifacts in the region of the model. */
  readonly location: string;
  /** The bundle to upload (see `readModelBundle`). */
  readonly bundle: ModelBundle;
  /** Name of the model: the first part of the object prefix `<model>/<content hash>/`. */
  readonly modelName: string;
  /** Cloud KMS key for the bucket's default encryption (CMEK). @default - Google-managed keys */
  readonly kmsKeyName?: string;
  /** Days old object versions are kept. @default 30 */
  readonly noncurrentVersionDays?: number;
  /** Resources the bucket waits for (the storage API). @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A private bucket for model bundles (uniform access, public access prevention enforced, versioning,
 * CMEK when given, with the encrypter/decrypter role for the Cloud Storage service agent on that key,
 * emptied on destroy) and one bundle in it under `<model>/<content hash>/`: a new bundle
 * gets a new prefix, so the artifact URI names one immutable version, and each object's MD5 replaces it
 * when its file changes.
 */
export class GcsModelArtifactBucket extends Construct {
  readonly bucket: StorageBucket;
  readonly bucketName: string;
  readonly objects: readonly StorageBucketObject[];
  /** `gs://<bucket>/<model>/<hash>`: the model's `artifactUri`. */
  readonly artifactUri: string;

  constructor(scope: Construct, id: string, props: GcsModelArtifactBucketProps) {
    super(scope, id);
    validate(id, props);
    const dependsOn = [...(props.dependsOn ?? [])];
    if (props.kmsKeyName) {
      // Reading this data source creates the project's Cloud Storage service agent if it does not exist
      // yet (a fresh project), so the grant below never names an absent account.
      const agent = new DataGoogleStorageProjectServiceAccount(this, 'storage-agent', {});
      dependsOn.push(
        new KmsCryptoKeyIamMember(this, 'storage-agent-kms', {
          cryptoKeyId: props.kmsKeyName,
          role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter',
          member: agent.member,
        }),
      );
    }
    this.bucket = new StorageBucket(this, 'bucket', {
      name: props.bucketName,
      location: props.location,
      uniformBucketLevelAccess: true,
      publicAccessPrevention: 'enforced',
      versioning: { enabled: true },
      // Versioned buckets keep old versions: without this, destroy would fail on a non-empty bucket.
      forceDestroy: true,
      lifecycleRule: [
        {
          action: { type: 'Delete' },
          condition: {
            daysSinceNoncurrentTime: props.noncurrentVersionDays ?? DEFAULT_NONCURRENT_VERSION_DAYS,
            withState: 'ARCHIVED',
          },
        },
      ],
      ...(props.kmsKeyName ? { encryption: { defaultKmsKeyName: props.kmsKeyName } } : {}),
      ...(dependsOn.length > 0 ? { dependsOn } : {}),
    });
    this.bucketName = this.bucket.name;
    const prefix = `${props.modelName}/${props.bundle.contentHash.slice(0, PREFIX_HASH_LENGTH)}`;
    this.objects = props.bundle.files.map(
      (file) =>
        // Keyed by the file's name, not its position: adding a file does not replace the others.
        new StorageBucketObject(this, `object-${file.name.replace(/[^A-Za-z0-9_-]/g, '_')}`, {
          bucket: this.bucket.name,
          name: `${prefix}/${file.name}`,
          source: file.source,
          sourceMd5Hash: file.md5Base64,
        }),
    );
    this.artifactUri = `gs://${this.bucket.name}/${prefix}`;
  }

  /** Read access to the objects (e.g. for the Vertex AI service agent, which copies the artifacts). */
  grantRead(id: string, member: string, dependsOn?: ITerraformDependable[]): StorageBucketIamMember {
    return new StorageBucketIamMember(this, id, {
      bucket: this.bucket.name,
      role: 'roles/storage.objectViewer',
      member,
      ...(dependsOn ? { dependsOn } : {}),
    });
  }
}

function validate(id: string, props: GcsModelArtifactBucketProps): void {
  const problems = new PropsProblems('GcsModelArtifactBucket', id);
  if (props.bundle.files.length === 0) problems.add('bundle: has no files; expected a model bundle');
  if (isKnown(props.bucketName) && !/^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$/.test(props.bucketName)) {
    problems.add(
      `bucketName: got ${JSON.stringify(props.bucketName)}; expected 3-63 lowercase letters, digits, - and _`,
    );
  }
  const days = props.noncurrentVersionDays;
  if (days !== undefined && (!Number.isInteger(days) || days < 1)) {
    problems.add(`noncurrentVersionDays: got ${days}; expected an integer >= 1`);
  }
  problems.throwIfAny();
}
