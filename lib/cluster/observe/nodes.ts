/**
 * Nodes: Ready transitions (a kubelet that stopped posting shows as Unknown, which is not ready),
 * cordon/uncordon, and ready nodes per zone. Also the node → zone map the pod and endpoint
 * trackers use.
 */
import type { V1Node } from '@kubernetes/client-node';
import type { ReflectorChange } from '../reflector.ts';
import { objectRef, type GaugeSample } from '../timeline.ts';
import type { TrackerContext } from './context.ts';

export const kZoneLabel = 'topology.kubernetes.io/zone';
const kLegacyZoneLabel = 'failure-domain.beta.kubernetes.io/zone';
/** Zone label value for nodes that carry no zone label. */
export const kNoZone = 'none';

export interface NodeState {
  name: string;
  zone: string;
  ready: boolean;
  /** Status of the Ready condition: True, False or Unknown. */
  readyStatus: string;
  unschedulable: boolean;
  taints: string[];
}

export function nodeZone(node: V1Node): string {
  const labels = node.metadata?.labels ?? {};
  return labels[kZoneLabel] ?? labels[kLegacyZoneLabel] ?? kNoZone;
}

function readyCondition(node: V1Node) {
  return node.status?.conditions?.find((c) => c.type === 'Ready');
}

export function nodeState(node: V1Node): NodeState {
  const cond = readyCondition(node);
  return {
    name: node.metadata?.name ?? '',
    zone: nodeZone(node),
    ready: cond?.status === 'True',
    readyStatus: cond?.status ?? 'Unknown',
    unschedulable: node.spec?.unschedulable === true,
    taints: (node.spec?.taints ?? []).map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`),
  };
}

export class NodeTracker {
  private readonly nodes = new Map<string, NodeState>();
  constructor(private readonly ctx: TrackerContext) {}

  zoneOf(nodeName: string | undefined): string | undefined {
    return nodeName ? this.nodes.get(nodeName)?.zone : undefined;
  }

  list(): NodeState[] {
    return [...this.nodes.values()];
  }

  zones(): string[] {
    return [...new Set(this.list().map((n) => n.zone))];
  }

  apply(change: ReflectorChange<V1Node>): void {
    const now = nodeState(change.object);
    const before = this.nodes.get(now.name);
    if (change.type === 'deleted') this.nodes.delete(now.name);
    else this.nodes.set(now.name, now);
    if (change.initial) return;
    const object = objectRef('Node', '', now.name);
    const t = this.ctx.now();
    if (change.type === 'deleted') {
      if (before?.ready !== false) {
        this.ctx.emit({
          t,
          kind: 'node-not-ready',
          object,
          message: `node ${now.name} (${now.zone}) was deleted`,
          detail: { zone: now.zone, deleted: true },
        });
      }
      return;
    }
    if (!before || now.ready !== before.ready) {
      const cond = readyCondition(change.object);
      this.ctx.emit({
        t,
        kind: now.ready ? 'node-ready' : 'node-not-ready',
        object,
        message: now.ready
          ? `node ${now.name} (${now.zone}) is Ready`
          : `node ${now.name} (${now.zone}) is not ready: Ready=${now.readyStatus}${cond?.reason ? ` (${cond.reason})` : ''}`,
        detail: {
          zone: now.zone,
          status: now.readyStatus,
          ...(cond?.reason ? { reason: cond.reason } : {}),
          ...(cond?.message ? { conditionMessage: cond.message } : {}),
          taints: now.taints,
        },
      });
    }
    if (now.unschedulable !== (before?.unschedulable ?? false)) {
      this.ctx.emit({
        t,
        kind: now.unschedulable ? 'node-cordoned' : 'node-uncordoned',
        object,
        message: `node ${now.name} (${now.zone}) ${now.unschedulable ? 'cordoned' : 'uncordoned'}`,
        detail: { zone: now.zone, taints: now.taints },
      });
    }
  }

  gauges(): GaugeSample[] {
    const perZone = new Map<string, number>();
    for (const n of this.nodes.values()) perZone.set(n.zone, (perZone.get(n.zone) ?? 0) + (n.ready ? 1 : 0));
    return [...perZone].map(([zone, value]) => ({ name: 'nodes.ready', labels: { zone }, value }));
  }
}
