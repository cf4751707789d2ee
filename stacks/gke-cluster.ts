import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { TimeProvider } from '@cdktf/provider-time/lib/provider';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { guardedGcpProjectId } from '../src/common/gcp-project-guard';
import { ProjectStack, type ProjectStackProps } from '../src/common/project-stack';
import { GkeCluster, type GkeClusterProps } from '../src/constructs/gcp/gke-cluster';

export interface GkeClusterStackProps extends ProjectStackProps {
  readonly gcpProjectId: string;
  /** Region of the provider, the network and (unless `cluster.location` names a zone) the cluster. */
  readonly region: string;
  /** `projectId` and `region` in here are replaced by the stack's `gcpProjectId` and `region`. */
  readonly cluster: GkeClusterProps;
}

/** `gcloud container clusters get-credentials …`: a regional cluster takes --region, a zonal one --zone. */
export function gkeCredentialsCommand(
  clusterName: string,
  location: string,
  region: string,
  projectId: string,
): string {
  const locationFlag = location === region ? '--region' : '--zone';
  return `gcloud container clusters get-credentials ${clusterName} ${locationFlag} ${location} --project ${projectId}`;
}

/**
 * The `gke-cluster` stack: a private GKE cluster with its network and node pool. Workloads go in a
 * separate stack (`gke-serving`) that finds the cluster by name. A deploy with the placeholder project id
 * stops before any API call (a Terraform variable validation).
 */
export class GkeClusterStack extends ProjectStack {
  readonly cluster: GkeCluster;

  constructor(scope: Construct, id: string, props: GkeClusterStackProps) {
    super(scope, id, props);
    new GoogleProvider(this, 'google', {
      project: guardedGcpProjectId(this, props.gcpProjectId),
      region: props.region,
      defaultLabels: { ...this.tags },
    });
    new TimeProvider(this, 'time');
    this.cluster = new GkeCluster(this, 'gke', {
      ...props.cluster,
      projectId: props.gcpProjectId,
      region: props.region,
    });

    const location = this.cluster.location;
    new TerraformOutput(this, 'cluster_name', { value: this.cluster.clusterName });
    new TerraformOutput(this, 'location', { value: location });
    new TerraformOutput(this, 'kubeconfig_command', {
      description: 'Adds the cluster to ~/.kube/config (needs the gke-gcloud-auth-plugin)',
      value: gkeCredentialsCommand(this.cluster.clusterName, location, props.region, props.gcpProjectId),
    });
  }
}
