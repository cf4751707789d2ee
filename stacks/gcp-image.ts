import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { DataGoogleClientConfig } from '@cdktf/provider-google/lib/data-google-client-config';
import { ProjectService } from '@cdktf/provider-google/lib/project-service';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { guardedGcpProjectId } from '../src/common/gcp-project-guard';
import { ProjectStack, type ProjectStackProps } from '../src/common/project-stack';
import { toImageSourceProps } from '../src/config/image-source';
import type { GcpImageConfig } from '../src/config/resolve';
import type { ImageBuildProps } from '../src/constructs/docker/image-reference';
import { ArtifactRegistryImage } from '../src/constructs/gcp/artifact-registry-image';

export interface GcpImageStackProps extends ProjectStackProps {
  readonly gcpProjectId: string;
  /** Region of the provider and the repository. */
  readonly region: string;
  readonly image: GcpImageConfig;
  /** Build inputs (the sources' content hash); required when `image.source.mode` is `build`. */
  readonly build?: ImageBuildProps;
}

/**
 * The `gcp-image` stack: the Artifact Registry repository and the serving image, which GKE serving and
 * Vertex AI take from `imageUri`. In build mode `cdktf deploy` builds `model-server/` with the local Docker
 * daemon and pushes it with the deploying identity's OAuth access token.
 */
export class GcpImageStack extends ProjectStack {
  readonly image: ArtifactRegistryImage;
  /** The image to run, pinned by digest (a stack output; consumers reference it across stacks). */
  readonly imageUri: string;

  constructor(scope: Construct, id: string, props: GcpImageStackProps) {
    super(scope, id, props);
    new GoogleProvider(this, 'google', {
      // A deploy with the placeholder project stops before any API call.
      project: guardedGcpProjectId(this, props.gcpProjectId),
      region: props.region,
      defaultLabels: { ...this.tags },
    });
    const source = toImageSourceProps(id, props.image.source, props.build);
    // Never disabled on destroy: other stacks (clusters, Vertex) may pull from the registry.
    const api = new ProjectService(this, 'api-artifactregistry', {
      service: 'artifactregistry.googleapis.com',
      disableOnDestroy: false,
      disableDependentServices: false,
    });
    const scanning = props.image.vulnerabilityScanning
      ? [
          new ProjectService(this, 'api-containerscanning', {
            service: 'containerscanning.googleapis.com',
            disableOnDestroy: false,
            disableDependentServices: false,
          }),
        ]
      : [];
    this.image = new ArtifactRegistryImage(this, 'registry', {
      repositoryId: props.image.repositoryId,
      location: props.region,
      source,
      untaggedExpiryDays: props.image.untaggedExpiryDays,
      taggedExpiryDays: props.image.taggedExpiryDays,
      keepMostRecent: props.image.keepMostRecent,
      vulnerabilityScanning: props.image.vulnerabilityScanning,
      dependsOn: [api, ...scanning],
    });
    if (source.kind === 'build') {
      const client = new DataGoogleClientConfig(this, 'client', {});
      new DockerProvider(this, 'docker', {
        registryAuth: [
          { address: this.image.registryHost, username: 'oauth2accesstoken', password: client.accessToken },
        ],
      });
    }
    this.imageUri = this.image.imageUri;

    new TerraformOutput(this, 'image_uri', {
      value: this.imageUri,
      description: 'Serving image, pinned by digest',
    });
    new TerraformOutput(this, 'repository_url', { value: this.image.repositoryUrl });
  }
}
