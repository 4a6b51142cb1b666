/**
 * The `scale` subresource of deployments and replicasets: an autoscaling/v1 Scale view of
 * `spec.replicas` (spec §3 "scale"). PUT honours a stale resourceVersion with 409.
 */
import { errors } from '../../store/errors.ts';
import { clone, isPlainObject } from '../../store/json.ts';
import { applyPatch } from '../../store/patch.ts';
import { formatLabelSelector } from '../../store/selectors.ts';
import type { KubeObject, StoredObject } from '../../store/types.ts';
import type { RequestContext } from '../context.ts';
import { dryRunParam } from '../context.ts';
import { sendJson } from '../httpIo.ts';
import { patchTypeOf, readObject, storageOf } from './crud.ts';

export function scaleOf(obj: StoredObject): KubeObject {
  const m = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: {
      replicas: obj.status?.replicas ?? 0,
      selector: formatLabelSelector(obj.spec?.selector).replace(/^<none>$/, ''),
    },
  };
}

function applyScale(ctx: RequestContext, current: StoredObject, scale: KubeObject): StoredObject {
  const replicas = scale.spec?.replicas;
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw errors.invalid(
      'Scale',
      current.metadata.name,
      [
        {
          reason: 'FieldValueInvalid',
          field: 'spec.replicas',
          message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
        },
      ],
      'autoscaling',
    );
  }
  const draft = clone(current);
  draft.spec = { ...(draft.spec ?? {}), replicas };
  // The Scale's resourceVersion is the parent's, so a stale one is a conflict on the parent.
  draft.metadata.resourceVersion = scale.metadata.resourceVersion || current.metadata.resourceVersion;
  return ctx.store.update(storageOf(ctx.route.type), draft, { dryRun: dryRunParam(ctx.query) });
}

export async function handleScale(ctx: RequestContext): Promise<void> {
  const { store, route } = ctx;
  const current = store.get(storageOf(route.type), route.namespace, route.name!);
  switch (ctx.req.method) {
    case 'GET':
      return sendJson(ctx.res, 200, scaleOf(current));
    case 'PUT': {
      const scale = await readObject(ctx, 'Scale', 'autoscaling/v1');
      if (scale.metadata.name !== undefined && scale.metadata.name !== route.name) {
        throw errors.badRequest(
          `the name of the object (${String(scale.metadata.name)}) does not match the name on the URL (${route.name})`,
        );
      }
      return sendJson(ctx.res, 200, scaleOf(applyScale(ctx, current, scale)));
    }
    case 'PATCH': {
      const ptype = patchTypeOf(ctx);
      const body = await ctx.readJson('patch');
      const patched = applyPatch(ptype, scaleOf(current), body);
      if (!isPlainObject(patched)) throw errors.badRequest('the patch does not produce a Scale object');
      return sendJson(ctx.res, 200, scaleOf(applyScale(ctx, current, patched as KubeObject)));
    }
    default:
      throw errors.methodNotAllowed();
  }
}
