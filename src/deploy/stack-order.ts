/**
 * Which stacks each target needs and in what order. `STACK_DEPENDENCIES` mirrors the dependencies the app
 * declares (`cdktf.out/manifest.json`); a test synthesizes the app and checks that they agree, so the order
 * here cannot drift from the stacks.
 */
export const STACK_DEPENDENCIES: Readonly<Record<string, readonly string[]>> = {
  'aws-image': [],
  'gcp-image': [],
  'eks-cluster': [],
  'gke-cluster': [],
  'eks-serving': ['aws-image', 'eks-cluster'],
  'gke-serving': ['gcp-image', 'gke-cluster'],
  'sagemaker-endpoint': ['aws-image'],
  'vertex-endpoint': ['gcp-image'],
};

/** The stack that serves each target; deploying it needs its dependencies first. */
export const TARGET_STACKS = {
  eks: 'eks-serving',
  gke: 'gke-serving',
  sagemaker: 'sagemaker-endpoint',
  vertex: 'vertex-endpoint',
} as const;

export type DeployTarget = keyof typeof TARGET_STACKS;
export const DEPLOY_TARGETS = Object.keys(TARGET_STACKS) as DeployTarget[];

/** Image stacks hold the registries that other targets share: destroy keeps them unless asked. */
export const SHARED_STACKS: readonly string[] = ['aws-image', 'gcp-image'];

/** The target's stacks, every dependency before its dependents (depth-first, in declared order). */
export function deployOrder(target: DeployTarget): string[] {
  const order: string[] = [];
  const visit = (stack: string) => {
    if (order.includes(stack)) return;
    for (const dependency of STACK_DEPENDENCIES[stack] ?? []) visit(dependency);
    order.push(stack);
  };
  visit(TARGET_STACKS[target]);
  return order;
}

/** The reverse of `deployOrder`: dependents first, so Kubernetes load balancers go before their VPC. */
export function destroyOrder(
  target: DeployTarget,
  options: { readonly withShared?: boolean } = {},
): string[] {
  return deployOrder(target)
    .reverse()
    .filter((stack) => options.withShared || !SHARED_STACKS.includes(stack));
}
