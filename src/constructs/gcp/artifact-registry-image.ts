import { ArtifactRegistryRepository } from '@cdktf/provider-google/lib/artifact-registry-repository';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { type BuiltImage, checkImageSource, imageFromSource } from '../docker/built-image';
import type { ImageSourceProps } from '../docker/image-reference';
import { checkPositiveIntegers, PropsProblems } from '../props-problems';

const SECONDS_PER_DAY = 86_400;

export interface ArtifactRegistryImageProps {
  /** Repository id (`[a-z][a-z0-9-]*`, at most 63). */
  readonly repositoryId: string;
  /** Region of the repository, e.g. 'us-central1'; the registry host is `<location>-docker.pkg.dev`. */
  readonly location: string;
  /** Build `model-server/` and push it here, or record an image already pushed, pinned by digest. */
  readonly source: ImageSourceProps;
  /** Name of the image inside the repository. @default 'model-server' */
  readonly imageName?: string;
  /** Untagged versions older than this many days are deleted. @default 7 */
  readonly untaggedExpiryDays?: number;
  /** Tagged versions older than this many days are deleted, unless among the most recent kept. @default 30 */
  readonly taggedExpiryDays?: number;
  /** Versions kept whatever their age (a KEEP policy wins over DELETE policies). @default 10 */
  readonly keepMostRecent?: number;
  /**
   * Artifact Analysis scans each pushed image for known vulnerabilities (`INHERITED`: needs
   * containerscanning.googleapis.com enabled in the project); off, the repository opts out (`DISABLED`), since
   * scanning bills per image.
   * @default false
   */
  readonly vulnerabilityScanning?: boolean;
  /** @default 'Model server images' */
  readonly description?: string;
  /** Resources the repository waits for, e.g. the `artifactregistry.googleapis.com` API enablement. @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * An Artifact Registry Docker repository with immutable tags and cleanup policies, plus the serving image:
 * built and pushed at deploy time (tag from the sources' content hash) or a prebuilt image by digest.
 */
export class ArtifactRegistryImage extends Construct {
  readonly repository: ArtifactRegistryRepository;
  /** `<location>-docker.pkg.dev` */
  readonly registryHost: string;
  /** `<location>-docker.pkg.dev/<project>/<repository>` */
  readonly repositoryUrl: string;
  /** The image to run, pinned by digest. */
  readonly imageUri: string;
  readonly build?: BuiltImage;

  constructor(scope: Construct, id: string, props: ArtifactRegistryImageProps) {
    super(scope, id);
    validate(id, props);
    const untaggedDays = props.untaggedExpiryDays ?? 7;
    const taggedDays = props.taggedExpiryDays ?? 30;
    this.repository = new ArtifactRegistryRepository(this, 'repository', {
      repositoryId: props.repositoryId,
      location: props.location,
      format: 'DOCKER',
      ...(props.dependsOn ? { dependsOn: props.dependsOn } : {}),
      description: props.description ?? 'Model server images',
      // Immutable: a tag always names the same image, so a deployment can never change under a tag.
      dockerConfig: { immutableTags: true },
      vulnerabilityScanningConfig: {
        enablementConfig: props.vulnerabilityScanning ? 'INHERITED' : 'DISABLED',
      },
      cleanupPolicyDryRun: false,
      cleanupPolicies: [
        {
          id: 'delete-untagged',
          action: 'DELETE',
          condition: { tagState: 'UNTAGGED', olderThan: `${untaggedDays * SECONDS_PER_DAY}s` },
        },
        {
          id: 'delete-old-tagged',
          action: 'DELETE',
          condition: { tagState: 'TAGGED', olderThan: `${taggedDays * SECONDS_PER_DAY}s` },
        },
        {
          id: 'keep-most-recent',
          action: 'KEEP',
          mostRecentVersions: { keepCount: props.keepMostRecent ?? 10 },
        },
      ],
    });
    this.registryHost = `${props.location}-docker.pkg.dev`;
    this.repositoryUrl = `${this.registryHost}/${this.repository.project}/${this.repository.repositoryId}`;
    const imageRepository = `${this.repositoryUrl}/${props.imageName ?? 'model-server'}`;

    const image = imageFromSource(this, props.source, imageRepository);
    this.imageUri = image.imageUri;
    this.build = image.build;
  }
}

function validate(id: string, props: ArtifactRegistryImageProps): void {
  const problems = new PropsProblems('ArtifactRegistryImage', id);
  checkPositiveIntegers(problems, props, ['untaggedExpiryDays', 'taggedExpiryDays', 'keepMostRecent']);
  checkImageSource(problems, props.source);
  problems.throwIfAny();
}
