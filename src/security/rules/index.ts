import type { Rule } from '../finding';
import { CLUSTER_RULES } from './clusters';
import { ENDPOINT_RULES } from './endpoints';
import { IAM_RULES } from './iam';
import { STORAGE_RULES } from './storage';
import { TAG_RULES } from './tags';
import { WORKLOAD_RULES } from './workloads';

/** Every rule of the gate, by family. */
export const ALL_RULES: readonly Rule[] = [
  ...STORAGE_RULES,
  ...IAM_RULES,
  ...CLUSTER_RULES,
  ...WORKLOAD_RULES,
  ...ENDPOINT_RULES,
  ...TAG_RULES,
];
