import { deployTimes, deployTimesMarkdown } from '../../src/compare/deploy-times';
import type { DeployTiming } from '../../src/compare/results';

const t = (
  stack: string,
  seconds: number,
  date: string,
  ok = true,
  action: 'deploy' | 'destroy' = 'deploy',
): DeployTiming => ({
  date,
  action,
  target: 'eks',
  stack,
  seconds,
  ok,
});

describe('deployTimes', () => {
  it('sums the newest successful run of each stack of a target, ignoring failed runs', () => {
    const times = deployTimes([
      t('aws-image', 100, '2026-12-01T01:00:00Z'),
      t('eks-cluster', 900, '2026-12-01T01:02:00Z'),
      t('eks-cluster', 30, '2026-12-01T02:00:00Z', false),
      t('aws-image', 40, '2026-12-01T03:00:00Z'),
      t('eks-cluster', 600, '2026-12-01T03:01:00Z', true, 'destroy'),
    ]);
    expect(times.map((x) => [x.target, x.action, x.seconds])).toEqual([
      ['eks', 'deploy', 940],
      ['eks', 'destroy', 600],
    ]);
    expect(deployTimesMarkdown(times)).toContain(
      '| eks | deploy | 15.7 | aws-image 40 s, eks-cluster 900 s |',
    );
  });

  it('is empty without timings', () => {
    expect(deployTimesMarkdown(deployTimes([]))).toBe('');
  });
});
