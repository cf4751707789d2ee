import type { ModelServingServiceProps } from '../../../src/constructs/k8s/model-serving-service';
import { errorOf, type Json, synth } from './support';

// Each validation of the construct on both sides of its bound: the last value refused and the first taken.
describe('ModelServingService bounds', () => {
  test.each([
    [{ minReplicas: 0 }, 'minReplicas: got 0; expected an integer >= 1'],
    [{ minReplicas: 1.5 }, 'minReplicas: got 1.5; expected an integer >= 1'],
    [{ maxReplicas: 0, minReplicas: 0, replicas: 0 }, 'maxReplicas: got 0; expected an integer >= 1'],
    [{ replicas: 0 }, 'replicas: got 0; expected an integer >= 1'],
    [{ maxUnavailable: 0 }, 'maxUnavailable: got 0; expected an integer >= 1'],
    [{ maxUnavailable: 1.5 }, 'maxUnavailable: got 1.5; expected an integer >= 1'],
    [{ replicas: 11, maxReplicas: 10 }, 'replicas: got 11; expected between minReplicas'],
    [
      { cpuTargetUtilizationPercent: 101 },
      'cpuTargetUtilizationPercent: got 101; expected an integer from 1',
    ],
    [{ cpuTargetUtilizationPercent: 50.5 }, 'cpuTargetUtilizationPercent: got 50.5; expected an integer'],
    [{ scaleDownStabilizationWindowSeconds: 1.5 }, 'scaleDownStabilizationWindowSeconds: got 1.5'],
    [{ allowedIngressNamespaces: ['ok', 'Not_OK'] }, 'allowedIngressNamespaces[1]: got "Not_OK"; expected'],
    [{ resources: { limits: { cpu: 'lots' } } }, 'resources.limits.cpu: got "lots"; expected'],
    [
      { resources: { requests: { memory: '1Gi' }, limits: { memory: '512Mi' } } },
      'resources.requests.memory: got "1Gi"; expected <= resources.limits.memory (512Mi)',
    ],
    [
      { preStopSleepSeconds: 10, shutdownDelaySeconds: 10, terminationGracePeriodSeconds: 29 },
      'terminationGracePeriodSeconds: got 29; expected >= preStopSleepSeconds (10)',
    ],
  ] as [Partial<ModelServingServiceProps>, string][])('refuses %j', (props, message) => {
    expect(errorOf(props)).toContain(message);
  });

  test.each([
    { minReplicas: 1, maxReplicas: 1, replicas: 1 },
    { replicas: 10, maxReplicas: 10 },
    { cpuTargetUtilizationPercent: 1 },
    { cpuTargetUtilizationPercent: 100 },
    { maxUnavailable: 2 },
    { preStopSleepSeconds: 10, shutdownDelaySeconds: 10, terminationGracePeriodSeconds: 30 },
    { preStopSleepSeconds: 0, shutdownDelaySeconds: 0, terminationGracePeriodSeconds: 10 },
    { resources: { requests: { cpu: '1', memory: '512Mi' }, limits: { cpu: '1', memory: '512Mi' } } },
    { allowedIngressNamespaces: ['gateway', 'ingress-nginx'] },
  ] as Partial<ModelServingServiceProps>[])('takes %j', (props) => {
    expect(() => synth(props)).not.toThrow();
  });

  test('the PDB takes maxUnavailable from the props', () => {
    const pdbs = Object.values(synth({ maxUnavailable: 2 }).resource.kubernetes_pod_disruption_budget_v1);
    expect(pdbs).toHaveLength(1);
    expect((pdbs[0] as Json).spec.max_unavailable).toBe('2');
  });
});
