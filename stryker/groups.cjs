/**
 * Module groups for mutation testing (`npm run test:mutation -- <group>`). One group per run keeps a run to
 * minutes on two cores; each group has its own incremental file, so a re-run tests only what changed.
 */
module.exports = {
  core: ['model-server/src/core/**/*.ts'],
  protocols: ['model-server/src/protocols/**/*.ts'],
  explain: ['model-server/src/explain/**/*.ts'],
  xgboost: ['model-server/src/models/xgboost/**/*.ts'],
  'models-other': ['model-server/src/models/*.ts', 'model-server/src/models/text/**/*.ts'],
  'server-runtime': [
    'model-server/src/lifecycle/**/*.ts',
    'model-server/src/metrics/**/*.ts',
    'model-server/src/storage/**/*.ts',
    'model-server/src/config.ts',
  ],
  'constructs-k8s': ['src/constructs/k8s/**/*.ts'],
  'constructs-aws': ['src/constructs/aws/**/*.ts'],
  'constructs-gcp': ['src/constructs/gcp/**/*.ts', 'src/constructs/*.ts', 'src/constructs/docker/**/*.ts'],
  config: ['src/config/**/*.ts'],
  cli: ['src/cli/**/*.ts'],
  stacks: ['stacks/**/*.ts', 'src/common/**/*.ts'],
};
