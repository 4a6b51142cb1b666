/**
 * The fault admin endpoint, served by the API server behind the same bearer token:
 *
 *   GET    /local-cluster/v1/faults          → 200 {items: [fault, …]}
 *   POST   /local-cluster/v1/faults          {"zone":"zone-a","mode":"stop"} | {"node":"node-b2","mode":"pause"}
 *                                            → 201 {id, mode, zone|node, nodes, startedAt}
 *   GET    /local-cluster/v1/faults/{id}     → 200 fault
 *   DELETE /local-cluster/v1/faults/{id}     → 200 fault with recoveredAt (the nodes are back)
 *   GET    /local-cluster/v1/topology        → 200 {region, zones: [{name, nodes: [{name, address, podCIDR}]}]}
 *
 * Failures are Kubernetes Status objects: 400 (bad body, naming the field), 404 (unknown zone, node,
 * fault or path), 405 (wrong method), 409 (the node already has a fault).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExtraRoute } from '../api/server.ts';
import { checkBodyType, parseJsonBody, readBody, sendJson } from '../api/httpIo.ts';
import { errors } from '../store/errors.ts';
import type { FaultManager } from './faults.ts';
import { zonesOf, type NodeSpec } from './topology.ts';

export const kAdminPrefix = '/local-cluster/v1/';
export const kFaultsPath = `${kAdminPrefix}faults`;

const kMaxBodyBytes = 64 * 1024;

function topology(nodes: readonly NodeSpec[]): Record<string, unknown> {
  return {
    region: nodes[0]?.region ?? '',
    zones: zonesOf(nodes).map((zone) => ({
      name: zone,
      nodes: nodes
        .filter((n) => n.zone === zone)
        .map((n) => ({ name: n.name, address: n.address, podCIDR: n.podCIDR })),
    })),
  };
}

export function faultAdminRoute(faults: FaultManager, nodes: readonly NodeSpec[]): ExtraRoute {
  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const rest = url.pathname.slice(kAdminPrefix.length).split('/').filter(Boolean);
    const method = req.method ?? 'GET';
    if (rest.length === 1 && rest[0] === 'topology') {
      if (method !== 'GET') throw errors.methodNotAllowed();
      return sendJson(res, 200, topology(nodes));
    }
    if (rest[0] !== 'faults' || rest.length > 2) throw errors.pathNotFound();
    if (rest.length === 1) {
      if (method === 'GET') return sendJson(res, 200, { items: faults.list() });
      if (method !== 'POST') throw errors.methodNotAllowed();
      const body = parseJsonBody(
        await readBody(req, kMaxBodyBytes),
        'fault',
        checkBodyType(req.headers['content-type']),
      );
      return sendJson(res, 201, await faults.inject(body));
    }
    let id: string;
    try {
      id = decodeURIComponent(rest[1]!);
    } catch {
      throw errors.pathNotFound();
    }
    if (method === 'GET') return sendJson(res, 200, faults.get(id));
    if (method === 'DELETE') return sendJson(res, 200, await faults.recover(id));
    throw errors.methodNotAllowed();
  }
  return { prefix: kAdminPrefix, handle };
}
