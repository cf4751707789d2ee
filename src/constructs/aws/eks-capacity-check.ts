import { Annotations } from 'cdktf';
import type { Construct } from 'constructs';
import { PropsProblems } from '../props-problems';
import {
  INSTANCE_SHAPES,
  nodeRoom,
  nodesNeeded,
  podsAtPeak,
  type ServiceDemand,
  smallestShape,
} from './eks-node-capacity';

/** What the check reads of a service (a `ServiceConfig` fits). */
export interface ScaledService {
  readonly hpa: { readonly maxReplicas: number };
  readonly resources: { readonly requests: { readonly cpu: string; readonly memory: string } };
}

/** The node group the services run on. */
export interface EksNodeCapacity {
  /** Instance types of the node group; the smallest bounds what one node holds. */
  readonly instanceTypes: readonly string[];
  /** Nodes that run (the node group's desired size: nothing scales it). */
  readonly nodeCount: number;
}

/**
 * Refuses services whose pods at their HPA maxima (plus a rollout surge pod each, plus the cluster's
 * add-on pods) cannot fit on the node group; warns when an instance type is not in the shape table.
 */
export function checkEksNodeCapacity(
  scope: Construct,
  services: Readonly<Record<string, ScaledService>>,
  capacity: EksNodeCapacity,
): void {
  const demands: ServiceDemand[] = Object.entries(services).map(([name, service]) => ({
    name,
    maxReplicas: service.hpa.maxReplicas,
    requests: service.resources.requests,
  }));
  const smallest = smallestShape(capacity.instanceTypes);
  if (!smallest) {
    Annotations.of(scope).addWarning(
      `eks.nodeInstanceTypes [${capacity.instanceTypes.join(', ')}] includes a type whose capacity is not known here (known: ${Object.keys(INSTANCE_SHAPES).join(', ')}): check yourself that ${capacity.nodeCount} node(s) hold every service at its hpa.maxReplicas.`,
    );
    return;
  }
  const room = nodeRoom(smallest.shape);
  const pods = podsAtPeak(demands);
  const needed = nodesNeeded(pods, room);
  if (needed !== undefined && needed <= capacity.nodeCount) return;
  const problems = new PropsProblems('EksServingStack', scope.node.id);
  const peak = demands
    .map((d) => `${d.name} ${d.maxReplicas}+1 x ${d.requests.cpu}/${d.requests.memory}`)
    .join(', ');
  problems.add(
    `services at their HPA maximum (${peak}, plus coredns and metrics-server) need ${needed ?? 'more than 100'} ${smallest.type} node(s), room for ${room.cpuMillis}m CPU / ${room.memoryMib}Mi / ${room.pods} pods each, but eks.nodeDesiredSize is ${capacity.nodeCount} and nothing scales the nodes: raise eks.nodeDesiredSize (and eks.nodeMaxSize) to ${needed ?? 'a larger size'}, use a larger eks.nodeInstanceTypes, or lower services.<name>.hpa.maxReplicas.`,
  );
  problems.throwIfAny();
}
