import type { ResourceView, Rule, StackView, Violation } from '../finding';
import {
  blocks,
  coversAction,
  documentStatements,
  type PolicyStatement,
  policyStatements,
  strings,
} from '../json';

/** Every IAM policy document in the stack: policy documents, and `policy` attributes of any resource. */
function policies(stack: StackView): { resource: ResourceView; statements: PolicyStatement[] }[] {
  const found: { resource: ResourceView; statements: PolicyStatement[] }[] = [];
  for (const data of stack.dataSources.filter((d) => d.type === 'aws_iam_policy_document')) {
    found.push({ resource: data, statements: documentStatements(data.config) });
  }
  for (const resource of stack.resources.filter((r) => r.type.startsWith('aws_'))) {
    const documents = [resource.config.policy, ...blocks(resource.config.inline_policy).map((p) => p.policy)];
    for (const document of documents) {
      // References to policy documents are checked once, at the data source.
      if (typeof document !== 'string' || document.startsWith('${')) continue;
      const statements = policyStatements(stack, document);
      if (statements) found.push({ resource, statements });
    }
  }
  return found;
}

export const noStarOnStar: Rule = {
  id: 'iam.no-star-action-on-star-resource',
  family: 'iam',
  description: 'No IAM policy allows every action (`*`) on every resource (`*`).',
  fix: 'list the actions the principal needs and the resources (ARNs) it needs them on',
  check: (stack) =>
    policies(stack).flatMap(({ resource, statements }) =>
      statements
        .filter((s) => s.effect === 'Allow' && s.actions.includes('*') && s.resources.includes('*'))
        .map(() => ({ resource, message: 'a statement allows "*" on "*"' })),
    ),
};

export const noWildcardPassRole: Rule = {
  id: 'iam.no-wildcard-passrole',
  family: 'iam',
  description: 'No IAM policy allows iam:PassRole on a wildcard resource.',
  fix: 'allow iam:PassRole only on the ARNs of the roles to pass (and add an iam:PassedToService condition)',
  check: (stack) =>
    policies(stack).flatMap(({ resource, statements }) =>
      statements
        .filter(
          (s) =>
            s.effect === 'Allow' &&
            coversAction(s.actions, 'iam:PassRole') &&
            !s.actions.includes('*') &&
            s.resources.some((r) => r.includes('*')),
        )
        .map(() => ({ resource, message: 'iam:PassRole is allowed on a wildcard resource' })),
    ),
};

/** An AWS managed policy that grants a service's whole API, or everything. */
const BROAD_MANAGED_POLICY =
  /:iam::aws:policy\/(?:.*\/)?([A-Za-z0-9_-]*FullAccess[A-Za-z0-9_-]*|AdministratorAccess|PowerUserAccess)$/;

export const noFullAccessManagedPolicies: Rule = {
  id: 'iam.no-full-access-managed-policy',
  family: 'iam',
  description: 'No AWS managed *FullAccess (or AdministratorAccess, PowerUserAccess) policy is attached.',
  fix: 'attach a policy of your own that lists the actions and resources needed',
  check: (stack) => {
    const violations: Violation[] = [];
    for (const resource of stack.resources.filter((r) => r.type.startsWith('aws_iam_'))) {
      const arns = [
        ...strings(resource.config.policy_arn),
        ...strings(resource.config.policy_arns),
        ...strings(resource.config.managed_policy_arns),
      ];
      for (const arn of arns) {
        const match = BROAD_MANAGED_POLICY.exec(arn);
        if (match) violations.push({ resource, message: `attaches the AWS managed policy ${match[1]}` });
      }
    }
    return violations;
  },
};

const PRIMITIVE_ROLES = ['roles/owner', 'roles/editor'];

/** Role grants of a Google IAM resource: `role` (member/binding) or the bindings of `policy_data`. */
function googleRoles(stack: StackView, resource: ResourceView): string[] {
  const roles = strings(resource.config.role);
  const policyData = resource.config.policy_data;
  if (typeof policyData === 'string') {
    const data = stack.dataSources.find(
      (d) => d.type === 'google_iam_policy' && policyData.startsWith(`\${data.${d.address}.`),
    );
    if (data) roles.push(...blocks(data.config.binding).flatMap((b) => strings(b.role)));
    else {
      try {
        roles.push(...blocks(JSON.parse(policyData).bindings).flatMap((b) => strings(b.role)));
      } catch {
        // Not a literal document: nothing more to read.
      }
    }
  }
  return roles;
}

const GOOGLE_IAM = /^google_.*_iam_(member|binding|policy)$/;

export const noPrimitiveRoles: Rule = {
  id: 'iam.no-gcp-primitive-roles',
  family: 'iam',
  description: 'No Google IAM grant of the primitive roles/owner or roles/editor.',
  fix: 'grant the predefined roles the member needs (e.g. roles/artifactregistry.reader), on the resource where possible',
  check: (stack) =>
    stack.resources
      .filter((r) => GOOGLE_IAM.test(r.type))
      .flatMap((resource) =>
        googleRoles(stack, resource)
          .filter((role) => PRIMITIVE_ROLES.includes(role))
          .map((role) => ({ resource, message: `grants the primitive role ${role}` })),
      ),
};

/**
 * Roles whose resources have IAM of their own in the Google provider: granting them on the project gives
 * the member every repository, bucket, secret, key or service account of the project.
 */
export const RESOURCE_LEVEL_ROLES: Readonly<Record<string, string>> = {
  'roles/artifactregistry.reader': 'google_artifact_registry_repository_iam_member',
  'roles/artifactregistry.writer': 'google_artifact_registry_repository_iam_member',
  'roles/artifactregistry.repoAdmin': 'google_artifact_registry_repository_iam_member',
  'roles/storage.objectViewer': 'google_storage_bucket_iam_member',
  'roles/storage.objectCreator': 'google_storage_bucket_iam_member',
  'roles/storage.objectUser': 'google_storage_bucket_iam_member',
  'roles/storage.objectAdmin': 'google_storage_bucket_iam_member',
  'roles/storage.legacyBucketReader': 'google_storage_bucket_iam_member',
  'roles/secretmanager.secretAccessor': 'google_secret_manager_secret_iam_member',
  'roles/cloudkms.cryptoKeyEncrypterDecrypter': 'google_kms_crypto_key_iam_member',
  'roles/cloudkms.cryptoKeyDecrypter': 'google_kms_crypto_key_iam_member',
  'roles/cloudkms.cryptoKeyEncrypter': 'google_kms_crypto_key_iam_member',
  'roles/iam.serviceAccountUser': 'google_service_account_iam_member',
  'roles/iam.serviceAccountTokenCreator': 'google_service_account_iam_member',
  'roles/iam.workloadIdentityUser': 'google_service_account_iam_member',
};

const PROJECT_LEVEL = /^google_(project|folder|organization)_iam_(member|binding)$/;

export const resourceLevelGrants: Rule = {
  id: 'iam.gcp-grant-on-resource',
  family: 'iam',
  description: `Roles that the provider can grant on the resource are not granted on the project, folder or organization (${Object.keys(RESOURCE_LEVEL_ROLES).join(', ')}).`,
  fix: 'grant the role on the resource itself with the resource IAM type named in the message',
  check: (stack) =>
    stack.resources
      .filter((r) => PROJECT_LEVEL.test(r.type))
      .flatMap((resource) =>
        strings(resource.config.role)
          .filter((role) => RESOURCE_LEVEL_ROLES[role] !== undefined)
          .map((role) => ({
            resource,
            message: `grants ${role} on the whole ${resource.type.split('_')[1]}; use ${RESOURCE_LEVEL_ROLES[role]}`,
          })),
      ),
};

export const IAM_RULES: readonly Rule[] = [
  noStarOnStar,
  noWildcardPassRole,
  noFullAccessManagedPolicies,
  noPrimitiveRoles,
  resourceLevelGrants,
];
