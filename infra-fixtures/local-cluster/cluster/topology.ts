/**
 * The cluster's shape: zones `zone-a`, `zone-b`, … in one region, nodes `node-a1`, `node-a2`, …
 * Node `node-<z><n>` of the z-th zone gets InternalIP 127.0.<z>.<n> (zone-a is 1), so the kubelet's
 * default pod CIDR puts its pods on 127.<z>.<n>.0/24 and an address tells zone and node at a glance.
 * A cluster in address block `slot` adds slot × 26 to z, so concurrent clusters never share pod IPs.
 */

export interface NodeSpec {
  readonly name: string;
  readonly zone: string;
  readonly region: string;
  /** InternalIP, 127.0.<zone index>.<node index>. */
  readonly address: string;
  /** The node's pod range, 127.<zone index>.<node index>.0/24. */
  readonly podCIDR: string;
}

export interface TopologyInput {
  readonly zones: number;
  readonly nodesPerZone: number;
  readonly region: string;
  /** Address block (address-slot.ts): zone indices start at slot × 26 + 1. @default 0 */
  readonly slot?: number;
}

/** 26 letters name the zones; 50 nodes per zone is far above what one machine can run. */
export const kMaxZones = 26;
export const kMaxNodesPerZone = 50;

export function zoneName(index: number): string {
  return `zone-${String.fromCharCode(97 + index)}`;
}

export function buildTopology(input: TopologyInput): NodeSpec[] {
  const nodes: NodeSpec[] = [];
  const base = (input.slot ?? 0) * kMaxZones;
  for (let z = 0; z < input.zones; z++) {
    const letter = String.fromCharCode(97 + z);
    const x = base + z + 1;
    for (let n = 1; n <= input.nodesPerZone; n++) {
      nodes.push({
        name: `node-${letter}${n}`,
        zone: zoneName(z),
        region: input.region,
        address: `127.0.${x}.${n}`,
        podCIDR: `127.${x}.${n}.0/24`,
      });
    }
  }
  return nodes;
}

export function zonesOf(nodes: readonly NodeSpec[]): string[] {
  return [...new Set(nodes.map((n) => n.zone))];
}
