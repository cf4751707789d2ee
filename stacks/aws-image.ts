import { DataAwsEcrAuthorizationToken } from '@cdktf/provider-aws/lib/data-aws-ecr-authorization-token';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { Fn, TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { ProjectStack, type ProjectStackProps } from '../src/common/project-stack';
import { toImageSourceProps } from '../src/config/image-source';
import type { AwsImageConfig } from '../src/config/resolve';
import { EcrImage } from '../src/constructs/aws/ecr-image';
import type { ImageBuildProps } from '../src/constructs/docker/image-reference';

export interface AwsImageStackProps extends ProjectStackProps {
  readonly region: string;
  /** The AWS provider refuses to run in any other account. @default - any account */
  readonly accountId?: string;
  readonly image: AwsImageConfig;
  /** Build inputs (the sources' content hash); required when `image.source.mode` is `build`. */
  readonly build?: ImageBuildProps;
}

/**
 * The `aws-image` stack: the ECR repository and the serving image, which EKS serving and SageMaker take
 * from `imageUri`. In build mode `cdktf deploy` builds `model-server/` with the local Docker daemon and
 * pushes it, authenticated by a short-lived ECR token read at plan time.
 */
export class AwsImageStack extends ProjectStack {
  readonly image: EcrImage;
  /** The image to run, pinned by digest (a stack output; consumers reference it across stacks). */
  readonly imageUri: string;

  constructor(scope: Construct, id: string, props: AwsImageStackProps) {
    super(scope, id, props);
    new AwsProvider(this, 'aws', {
      region: props.region,
      defaultTags: [{ tags: { ...this.tags } }],
      ...(props.accountId ? { allowedAccountIds: [props.accountId] } : {}),
    });
    const source = toImageSourceProps(id, props.image.source, props.build);
    if (source.kind === 'build') {
      const token = new DataAwsEcrAuthorizationToken(this, 'ecr-token', {});
      new DockerProvider(this, 'docker', {
        registryAuth: [
          {
            address: Fn.replace(token.proxyEndpoint, 'https://', ''),
            username: token.userName,
            password: token.password,
          },
        ],
      });
    }
    this.image = new EcrImage(this, 'ecr', {
      repositoryName: props.image.repositoryName,
      source,
      encryption: props.image.encryption,
      ...(props.image.kmsKeyArn ? { kmsKeyArn: props.image.kmsKeyArn } : {}),
      untaggedExpiryDays: props.image.untaggedExpiryDays,
      keepLastImages: props.image.keepLastImages,
    });
    this.imageUri = this.image.imageUri;

    new TerraformOutput(this, 'image_uri', {
      value: this.imageUri,
      description: 'Serving image, pinned by digest',
    });
    new TerraformOutput(this, 'repository_url', { value: this.image.repositoryUrl });
  }
}
