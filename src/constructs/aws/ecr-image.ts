import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { Construct } from 'constructs';
import { type BuiltImage, checkImageSource, imageFromSource } from '../docker/built-image';
import type { ImageSourceProps } from '../docker/image-reference';
import { checkPositiveIntegers, PropsProblems } from '../props-problems';

export interface EcrImageProps {
  /** ECR repository name (`[a-z0-9._/-]`, 2-256). */
  readonly repositoryName: string;
  /** Build `model-server/` and push it here, or record an image already pushed, pinned by digest. */
  readonly source: ImageSourceProps;
  /** @default 'AES256' */
  readonly encryption?: 'AES256' | 'KMS';
  /** Customer managed key for `encryption: 'KMS'`. @default - the AWS managed key `aws/ecr` */
  readonly kmsKeyArn?: string;
  /** Basic scanning of every pushed image for CVEs. @default true */
  readonly scanOnPush?: boolean;
  /** Untagged images (superseded pushes, build cache) expire after this many days. @default 7 */
  readonly untaggedExpiryDays?: number;
  /** Images kept; older ones expire. @default 10 */
  readonly keepLastImages?: number;
  /**
   * Delete the repository even when it holds images, so `cdktf destroy` leaves nothing behind.
   * @default true
   */
  readonly forceDelete?: boolean;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * An ECR repository with immutable tags, scan on push and a lifecycle policy, plus the serving image:
 * built and pushed at deploy time (tag from the sources' content hash) or a prebuilt image by digest.
 */
export class EcrImage extends Construct {
  readonly repository: EcrRepository;
  readonly repositoryUrl: string;
  readonly repositoryArn: string;
  /** The image to run, pinned by digest. */
  readonly imageUri: string;
  /** Set when the image is built here. */
  readonly build?: BuiltImage;

  constructor(scope: Construct, id: string, props: EcrImageProps) {
    super(scope, id);
    validate(id, props);
    const encryption = props.encryption ?? 'AES256';
    this.repository = new EcrRepository(this, 'repository', {
      name: props.repositoryName,
      // Immutable: a tag always names the same image, so a deployment can never change under a tag.
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: props.scanOnPush ?? true },
      encryptionConfiguration: [
        {
          encryptionType: encryption,
          ...(encryption === 'KMS' && props.kmsKeyArn ? { kmsKey: props.kmsKeyArn } : {}),
        },
      ],
      forceDelete: props.forceDelete ?? true,
      ...(props.tags ? { tags: { ...props.tags } } : {}),
    });
    this.repositoryUrl = this.repository.repositoryUrl;
    this.repositoryArn = this.repository.arn;

    new EcrLifecyclePolicy(this, 'lifecycle', {
      repository: this.repository.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: `Expire untagged images after ${props.untaggedExpiryDays ?? 7} days`,
            selection: {
              tagStatus: 'untagged',
              countType: 'sinceImagePushed',
              countUnit: 'days',
              countNumber: props.untaggedExpiryDays ?? 7,
            },
            action: { type: 'expire' },
          },
          {
            // `any` must be the lowest-precedence rule (highest priority number).
            rulePriority: 2,
            description: `Keep the last ${props.keepLastImages ?? 10} images`,
            selection: {
              tagStatus: 'any',
              countType: 'imageCountMoreThan',
              countNumber: props.keepLastImages ?? 10,
            },
            action: { type: 'expire' },
          },
        ],
      }),
    });

    const image = imageFromSource(this, props.source, this.repositoryUrl);
    this.imageUri = image.imageUri;
    this.build = image.build;
  }
}

function validate(id: string, props: EcrImageProps): void {
  const problems = new PropsProblems('EcrImage', id);
  checkPositiveIntegers(problems, props, ['untaggedExpiryDays', 'keepLastImages']);
  if (props.kmsKeyArn !== undefined && props.encryption !== 'KMS') {
    problems.add(
      `kmsKeyArn: got ${JSON.stringify(props.kmsKeyArn)}; expected no key unless encryption is 'KMS'`,
    );
  }
  checkImageSource(problems, props.source);
  problems.throwIfAny();
}
