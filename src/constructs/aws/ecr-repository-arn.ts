/** `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>[:tag]@sha256:…` */
const ECR_IMAGE =
  /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/([a-z0-9._/-]+?)(?::[\w.-]+)?@sha256:[a-f0-9]{64}$/;

/**
 * The ARN of the ECR repository an image URI (pinned by digest) lives in, or undefined when the URI is not
 * an ECR image: the execution role of a SageMaker model may then pull from exactly that repository.
 */
export function ecrRepositoryArnOf(imageUri: string): string | undefined {
  const match = ECR_IMAGE.exec(imageUri);
  if (!match) return undefined;
  const [, account, region, china, repository] = match;
  const partition = china ? 'aws-cn' : region!.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  return `arn:${partition}:ecr:${region}:${account}:repository/${repository}`;
}
