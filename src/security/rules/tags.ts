import type { Json, ResourceView, Rule, StackView } from '../finding';
import { block } from '../json';

/** The tags/labels every resource carries (ProjectStack sets them through the providers' defaults). */
export const REQUIRED_TAGS = ['project', 'service', 'environment'] as const;

/** The provider block a resource uses: its `provider` alias, else the default (unaliased) one. */
function providerOf(stack: StackView, resource: ResourceView, name: string): Json {
  const configs = stack.providers[name] ?? [];
  const alias =
    typeof resource.config.provider === 'string' ? resource.config.provider.split('.')[1] : undefined;
  return configs.find((p) => p.alias === alias) ?? {};
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The resource's effective tags or labels, or undefined when they are an expression known only at deploy time. */
function effectiveTags(stack: StackView, resource: ResourceView): Record<string, unknown> | undefined {
  const provider = resource.type.split('_')[0]!;
  if (provider === 'kubernetes') {
    const metadata =
      resource.type === 'kubernetes_manifest'
        ? block(block(resource.config.manifest).metadata)
        : block(resource.config.metadata);
    return isMap(metadata.labels) || metadata.labels === undefined
      ? { ...(metadata.labels ?? {}) }
      : undefined;
  }
  const attribute = provider === 'aws' ? 'tags' : 'labels';
  const own = resource.config[attribute];
  if (own !== undefined && !isMap(own)) return undefined;
  const defaults =
    provider === 'aws'
      ? block(providerOf(stack, resource, 'aws').default_tags).tags
      : providerOf(stack, resource, provider).default_labels;
  return { ...(isMap(defaults) ? defaults : {}), ...(own ?? {}) };
}

function isTaggable(resource: ResourceView): boolean {
  const provider = resource.type.split('_')[0];
  if (provider === 'kubernetes')
    return resource.hasAttribute('metadata') || resource.type === 'kubernetes_manifest';
  if (provider === 'aws') return resource.hasAttribute('tags');
  if (provider === 'google') return resource.hasAttribute('labels');
  return false;
}

export const requiredTags: Rule = {
  id: 'tags.project-service-environment',
  family: 'tags',
  description: `Every resource whose type has tags (AWS), labels (Google) or metadata labels (Kubernetes) carries ${REQUIRED_TAGS.join(', ')}, counting the providers' default_tags / default_labels.`,
  fix: "build the stack on ProjectStack and pass this.tags to the provider's default_tags / default_labels and to Kubernetes metadata labels",
  check: (stack) =>
    stack.resources.filter(isTaggable).flatMap((resource) => {
      const tags = effectiveTags(stack, resource);
      if (tags === undefined) return [];
      const missing = REQUIRED_TAGS.filter((t) => typeof tags[t] !== 'string' || tags[t] === '');
      return missing.length > 0 ? [{ resource, message: `no ${missing.join(', ')} tag/label` }] : [];
    }),
};

export const TAG_RULES: readonly Rule[] = [requiredTags];
