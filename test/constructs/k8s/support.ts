import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import {
  ModelServingService,
  type ModelServingServiceProps,
} from '../../../src/constructs/k8s/model-serving-service';

export const IMAGE = `registry.example.com/model-server@sha256:${'a'.repeat(64)}`;

// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON, checked field by field
export type Json = Record<string, any>;

/** One ModelServingService (bankchurn by default) in a stack of its own, synthesized. */
export function synth(props: Partial<ModelServingServiceProps> = {}, id = 'bankchurn'): Json {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new KubernetesProvider(stack, 'kubernetes', {});
  new ModelServingService(stack, id, { image: IMAGE, modelName: 'bankchurn', ...props });
  return JSON.parse(Testing.synth(stack));
}

/** The message the construct refuses `props` with (fails the test when it takes them). */
export function errorOf(props: Partial<ModelServingServiceProps>): string {
  try {
    synth(props);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the construct to throw');
}
