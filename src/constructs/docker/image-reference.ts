/** Image references and build inputs shared by the registry constructs (no provider imports: config uses it). */

/** Build context of the serving image relative to Terraform's working directory `cdktf.out/stacks/<stack>`. */
export const DEFAULT_BUILD_CONTEXT = '../../..';
/** Dockerfile path inside the build context. */
export const DEFAULT_DOCKERFILE = 'model-server/Dockerfile';
/** SageMaker, Vertex AI and the default node pools run x86-64. */
export const DEFAULT_PLATFORM = 'linux/amd64';

/** An image reference pinned by digest (a tag before the digest is allowed; registries ignore it). */
export const DIGEST_PINNED_IMAGE =
  /^[a-z0-9][a-z0-9.-]*(?::\d+)?\/[a-z0-9._/-]+(?::[\w.-]+)?@sha256:[a-f0-9]{64}$/;

/** Inputs of a build done by `cdktf deploy` (needs a Docker daemon where it runs). */
export interface ImageBuildProps {
  /**
   * Content hash of the build sources (`hashImageSources`); the tag is derived from it, so every change
   * gets a new tag in an immutable registry and an unchanged source builds nothing.
   */
  readonly sourceHash: string;
  /** Build context, relative to `cdktf.out/stacks/<stack>` (an absolute path would differ per machine). @default '../../..' */
  readonly contextPath?: string;
  /** Dockerfile, relative to the context. @default 'model-server/Dockerfile' */
  readonly dockerfile?: string;
  /** @default 'linux/amd64' */
  readonly platform?: string;
}

/** Where an image construct gets its image: built at deploy time, or an existing image pinned by digest. */
export type ImageSourceProps =
  | ({ readonly kind: 'build' } & ImageBuildProps)
  | { readonly kind: 'prebuilt'; readonly uri: string };

/** Image tag for a source hash: `src-` and its first 16 hex digits (64 bits: collisions are not a concern). */
export function imageTagForHash(sourceHash: string): string {
  return `src-${sourceHash.slice(0, 16)}`;
}
