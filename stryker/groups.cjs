/**
 * Module groups for mutation testing (`npm run test:mutation -- <group>`). Each group names the sources it
 * mutates (`mutate`) and the test files that test them directly (`tests`, globs from the repo root); Stryker
 * runs only those tests (stryker/jest.config.js turns them into jest's `testMatch`). Without the narrowing,
 * every server test reaches core/ and protocols/, and each mutant reran hundreds of tests: about two hours
 * per group on two cores. A mutant that only a test outside the list would catch counts as a survivor, so a
 * test that guards a module's behaviour belongs in that module's list. Each group has its own incremental
 * file, so a re-run tests only what changed.
 */
const serverTests = (...names) => names.map((name) => `test/model-server/server/${name}.test.ts`);

module.exports = {
  core: {
    mutate: ['model-server/src/core/**/*.ts'],
    tests: [
      ...serverTests('core', 'scorer-slices', 'scorer-timing', 'error-mapping', 'native', 'csv-batch-limit'),
      'test/model-server/models/instances.test.ts',
      'test/model-server/models/metadata.test.ts',
    ],
  },
  protocols: {
    mutate: ['model-server/src/protocols/**/*.ts'],
    tests: serverTests(
      'api-key',
      'csv-batch-limit',
      'csv-edge-cases',
      'error-mapping',
      'hostile-requests',
      'hostile-sockets',
      'named-fastify-errors',
      'native',
      'open-inference',
      'request-id',
      'sagemaker',
      'sagemaker-csv-stream',
      'unread-body',
      'vertex',
    ),
  },
  // xgboost-parity.test.ts (every bundled model against XGBoost's own output) is left out of explain and
  // xgboost: each of its tests scores whole fixtures, and rerunning it per mutant made a run take hours.
  explain: {
    mutate: ['model-server/src/explain/**/*.ts'],
    tests: [
      'test/model-server/models/tree-shap.test.ts',
      'test/model-server/models/tree-shap-budget.test.ts',
      'test/model-server/models/linear-shap.test.ts',
      'test/model-server/models/text-model.test.ts',
    ],
  },
  xgboost: {
    mutate: ['model-server/src/models/xgboost/**/*.ts'],
    tests: [
      'test/model-server/models/bare-booster.test.ts',
      'test/model-server/models/booster-json.test.ts',
      'test/model-server/models/booster-json-errors.test.ts',
      'test/model-server/models/feature-encoder.test.ts',
      'test/model-server/models/loader.test.ts',
      'test/model-server/models/tree-shap.test.ts',
      'test/model-server/models/xgboost-model.test.ts',
    ],
  },
  'models-other': {
    mutate: ['model-server/src/models/*.ts', 'model-server/src/models/text/**/*.ts'],
    tests: ['test/model-server/models/**/*.test.ts'],
  },
  'server-runtime': {
    mutate: [
      'model-server/src/lifecycle/**/*.ts',
      'model-server/src/metrics/**/*.ts',
      'model-server/src/storage/**/*.ts',
      'model-server/src/config.ts',
    ],
    tests: [
      ...serverTests('banner', 'config', 'lifecycle', 'metrics', 'settings-docs', 'startup'),
      'test/model-server/cluster/**/*.test.ts',
    ],
  },
  'constructs-k8s': {
    mutate: ['src/constructs/k8s/**/*.ts'],
    tests: ['test/constructs/k8s/**/*.test.ts', 'test/stacks/eks-serving.test.ts', 'test/stacks/gke-serving.test.ts'],
  },
  'constructs-aws': {
    mutate: ['src/constructs/aws/**/*.ts'],
    tests: [
      'test/constructs/aws/**/*.test.ts',
      'test/config/sagemaker-config.test.ts',
      'test/stacks/aws-image.test.ts',
      'test/stacks/eks-*.test.ts',
      'test/stacks/sagemaker-*.test.ts',
    ],
  },
  'constructs-gcp': {
    mutate: ['src/constructs/gcp/**/*.ts', 'src/constructs/*.ts', 'src/constructs/docker/**/*.ts'],
    tests: [
      'test/constructs/**/*.test.ts',
      'test/config/image-source.test.ts',
      'test/config/vertex-config.test.ts',
      'test/cli/vertex-deploy.test.ts',
      'test/stacks/gcp-*.test.ts',
      'test/stacks/gke-*.test.ts',
      'test/stacks/vertex-*.test.ts',
    ],
  },
  config: {
    mutate: ['src/config/**/*.ts'],
    tests: ['test/config/**/*.test.ts', 'test/cost/inputs.test.ts', 'test/cost/readme-prices.test.ts'],
  },
  cli: { mutate: ['src/cli/**/*.ts'], tests: ['test/cli/**/*.test.ts'] },
  stacks: {
    mutate: ['stacks/**/*.ts', 'src/common/**/*.ts'],
    tests: ['test/stacks/**/*.test.ts', 'test/deploy/**/*.test.ts'],
  },
};
