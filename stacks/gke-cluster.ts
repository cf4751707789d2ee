import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { ProjectStack, type ProjectStackProps } from '../src/common/project-stack';
import { GkeCluster, type GkeClusterProps } from '../src/constructs/gcp/gke-cluster';
import { exemptFromSecurityRule } from '../src/security/exemptions';

export interface GkeClusterStackProps extends ProjectStackProps {
  readonly gcpProjectId: string;
  /** Region of the provider, the network and (unless `cluster.location` names a zone) the cluster. */
  readonly region: string;
  /** `projectId` and `region` in here are replaced by the stack's `gcpProjectId` and `region`. */
  readonly cluster: GkeClusterProps;
}

/**
 * The `gke-cluster` stack: a private GKE cluster with its network and node pool. Workloads go in a
 * separate stack (`gke-serving`) that finds the cluster by name.
 */
export class GkeClusterStack extends ProjectStack {
  readonly cluster: GkeCluster;

  constructor(scope: Construct, id: string, props: GkeClusterStackProps) {
    super(scope, id, props);
    new GoogleProvider(this, 'google', {
      project: props.gcpProjectId,
      region: props.region,
      defaultLabels: { ...this.tags },
    });
    this.cluster = new GkeCluster(this, 'gke', {
      ...props.cluster,
      projectId: props.gcpProjectId,
      region: props.region,
    });

    const registryRead = this.cluster.node.tryFindChild('node-artifactregistry-reader');
    if (registryRead) {
      exemptFromSecurityRule(
        registryRead,
        'iam.gcp-grant-on-resource',
        'the nodes pull the serving image, whose repository the gcp-image stack owns and this stack does not depend on, so the grant cannot name it yet; the role is read-only (issue 11 moves it onto the repository)',
      );
    }

    const location = this.cluster.location;
    // A regional cluster is addressed with --region, a zonal one with --zone.
    const locationFlag = location === props.region ? '--region' : '--zone';
    new TerraformOutput(this, 'cluster_name', { value: this.cluster.clusterName });
    new TerraformOutput(this, 'location', { value: location });
    new TerraformOutput(this, 'kubeconfig_command', {
      description: 'Adds the cluster to ~/.kube/config (needs the gke-gcloud-auth-plugin)',
      value: `gcloud container clusters get-credentials ${this.cluster.clusterName} ${locationFlag} ${location} --project ${props.gcpProjectId}`,
    });
  }
}
