import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import type { ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import type { EksAddonName } from './eks-cluster-props';

interface AddonSpec {
  readonly name: EksAddonName;
  /**
   * Installed before the node group, which waits for it: nodes stay NotReady without the CNI and
   * kube-proxy, and pods cannot use EKS Pod Identity until its agent runs. The others are Deployments
   * that stay DEGRADED until nodes exist, so they wait for the node group instead.
   */
  readonly beforeNodes: boolean;
  readonly configurationValues?: Readonly<Record<string, unknown>>;
}

/** EKS ships none of these as managed add-ons unless asked; the order here is the creation order. */
export const EKS_ADDONS: readonly AddonSpec[] = [
  // NetworkPolicy objects are ignored on EKS unless the VPC CNI runs its network policy agent.
  { name: 'vpc-cni', beforeNodes: true, configurationValues: { enableNetworkPolicy: 'true' } },
  { name: 'kube-proxy', beforeNodes: true },
  { name: 'eks-pod-identity-agent', beforeNodes: true },
  { name: 'coredns', beforeNodes: false },
  // EKS does not ship metrics-server, and a HorizontalPodAutoscaler does nothing without it.
  { name: 'metrics-server', beforeNodes: false },
];

export interface EksAddonsProps {
  readonly clusterName: string;
  readonly versions: Readonly<Partial<Record<EksAddonName, string>>>;
  /** IRSA role of an add-on's service account (e.g. the VPC CNI's aws-node). @default {} */
  readonly serviceAccountRoleArns?: Readonly<Partial<Record<EksAddonName, string>>>;
  /** More resources an add-on waits for (e.g. its role's policy attachment). @default {} */
  readonly dependsOn?: Readonly<Partial<Record<EksAddonName, ITerraformDependable[]>>>;
}

/**
 * Creates the add-ons in two phases around the node group: `beforeNodes()` creates and returns the add-ons
 * the node group must wait for; `afterNodes(nodeGroup)` creates the rest, depending on it.
 */
export class EksAddons {
  readonly addons: Partial<Record<EksAddonName, EksAddon>> = {};

  constructor(
    private readonly scope: Construct,
    private readonly props: EksAddonsProps,
  ) {}

  beforeNodes(): EksAddon[] {
    return EKS_ADDONS.filter((a) => a.beforeNodes).map((a) => this.create(a));
  }

  afterNodes(nodeGroup: ITerraformDependable): EksAddon[] {
    return EKS_ADDONS.filter((a) => !a.beforeNodes).map((a) => this.create(a, [nodeGroup]));
  }

  private create(spec: AddonSpec, after: ITerraformDependable[] = []): EksAddon {
    const dependsOn = [...after, ...(this.props.dependsOn?.[spec.name] ?? [])];
    const addon = new EksAddon(this.scope, `addon-${spec.name}`, {
      clusterName: this.props.clusterName,
      addonName: spec.name,
      addonVersion: this.props.versions[spec.name],
      serviceAccountRoleArn: this.props.serviceAccountRoleArns?.[spec.name],
      configurationValues: spec.configurationValues ? JSON.stringify(spec.configurationValues) : undefined,
      // Take over whatever EKS or an earlier install put there, on create and on every update.
      resolveConflictsOnCreate: 'OVERWRITE',
      resolveConflictsOnUpdate: 'OVERWRITE',
      dependsOn: dependsOn.length > 0 ? dependsOn : undefined,
    });
    this.addons[spec.name] = addon;
    return addon;
  }
}
