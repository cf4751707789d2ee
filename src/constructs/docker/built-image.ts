import { Image } from '@cdktf/provider-docker/lib/image';
import { RegistryImage } from '@cdktf/provider-docker/lib/registry-image';
import { Construct } from 'constructs';
import { isKnown, type PropsProblems } from '../props-problems';
import {
  DEFAULT_BUILD_CONTEXT,
  DEFAULT_DOCKERFILE,
  DEFAULT_PLATFORM,
  DIGEST_PINNED_IMAGE,
  type ImageBuildProps,
  type ImageSourceProps,
  imageTagForHash,
} from './image-reference';

export * from './image-reference';

export interface BuiltImageProps extends ImageBuildProps {
  /** Repository to push to, without tag (`<registry>/<path>`). */
  readonly repository: string;
  /** Image tag. */
  readonly tag: string;
}

/**
 * Builds an image with the stack's Docker provider and pushes it; the provider's `registry_auth` must
 * cover the repository's registry. Old tags stay in the registry (its lifecycle rules remove them), so a
 * rollout in progress can still pull the previous image.
 */
export class BuiltImage extends Construct {
  /** `<repository>:<tag>` */
  readonly taggedName: string;
  /** `<repository>@sha256:<digest>` as pushed: what consumers should run. */
  readonly imageUri: string;
  readonly image: Image;
  readonly registryImage: RegistryImage;

  constructor(scope: Construct, id: string, props: BuiltImageProps) {
    super(scope, id);
    this.taggedName = `${props.repository}:${props.tag}`;
    const triggers = { source_hash: props.sourceHash };
    this.image = new Image(this, 'image', {
      name: this.taggedName,
      triggers,
      buildAttribute: {
        context: props.contextPath ?? DEFAULT_BUILD_CONTEXT,
        dockerfile: props.dockerfile ?? DEFAULT_DOCKERFILE,
        platform: props.platform ?? DEFAULT_PLATFORM,
      },
    });
    this.registryImage = new RegistryImage(this, 'push', {
      name: this.image.name,
      triggers,
      keepRemotely: true,
    });
    this.imageUri = `${props.repository}@${this.registryImage.sha256Digest}`;
  }
}

/**
 * The image a registry construct serves: built from the sources and pushed to `repository` (as construct
 * `build` under `scope`, tagged by the sources' hash), or the prebuilt image as given.
 */
export function imageFromSource(
  scope: Construct,
  source: ImageSourceProps,
  repository: string,
): { readonly imageUri: string; readonly build?: BuiltImage } {
  if (source.kind === 'prebuilt') return { imageUri: source.uri };
  const build = new BuiltImage(scope, 'build', {
    ...source,
    repository,
    tag: imageTagForHash(source.sourceHash),
  });
  return { imageUri: build.imageUri, build };
}

/** A prebuilt image must be pinned by digest: a tag can be moved, a digest cannot. */
export function checkImageSource(problems: PropsProblems, source: ImageSourceProps): void {
  if (source.kind === 'prebuilt' && isKnown(source.uri) && !DIGEST_PINNED_IMAGE.test(source.uri)) {
    problems.add(
      `source.uri: got ${JSON.stringify(source.uri)}; expected an image pinned by digest (…@sha256:<64 hex>)`,
    );
  }
}
