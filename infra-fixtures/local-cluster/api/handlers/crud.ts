/** list / get / create / update (PUT) / patch / delete / deletecollection for stored resources. */
import { errors } from '../../store/errors.ts';
import { isPlainObject } from '../../store/json.ts';
import { applyPatch, kPatchContentTypes } from '../../store/patch.ts';
import { apiVersionOf, type ResourceType, type StorageName } from '../../store/registry.ts';
import type { DeleteOptions, KubeObject, StoredObject } from '../../store/types.ts';
import { boolParam, dryRunParam, intParam, type RequestContext } from '../context.ts';
import { sendJson, successStatus } from '../httpIo.ts';
import { listOf, parseIncludeObject, toTable, toView } from '../representation.ts';

export function storageOf(type: ResourceType): StorageName {
  if (!type.storage) throw errors.methodNotAllowed();
  return type.storage;
}

/** Field selectors of a view (`regarding.name`) renamed onto storage fields (`involvedObject.name`). */
export function storageFieldSelector(type: ResourceType, text: string | null): string | undefined {
  if (!text) return undefined;
  const aliases = type.view?.fieldAliases;
  if (!aliases) return text;
  return text
    .split(',')
    .map((part) => {
      const m = /^([^=!]+)(.*)$/.exec(part.trim());
      if (!m) return part;
      return `${aliases[m[1]!.trim()] ?? m[1]!.trim()}${m[2]}`;
    })
    .join(',');
}

export function selectorOptions(ctx: RequestContext): {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
} {
  return {
    namespace: ctx.route.namespace,
    labelSelector: ctx.query.get('labelSelector') ?? undefined,
    fieldSelector: storageFieldSelector(ctx.route.type, ctx.query.get('fieldSelector')),
  };
}

export function list(ctx: RequestContext): void {
  const type = ctx.route.type;
  const limit = intParam(ctx.query, 'limit');
  const result = ctx.store.list(storageOf(type), {
    ...selectorOptions(ctx),
    ...(limit !== undefined ? { limit } : {}),
    ...(ctx.query.get('continue') ? { continue: ctx.query.get('continue')! } : {}),
  });
  const meta = {
    resourceVersion: result.resourceVersion,
    ...(result.continue ? { continue: result.continue, remainingItemCount: result.remainingItemCount } : {}),
  };
  if (ctx.shape === 'table') {
    sendJson(
      ctx.res,
      200,
      toTable(type, result.items, {
        includeObject: parseIncludeObject(ctx.query.get('includeObject')),
        listMeta: meta,
      }),
    );
  } else sendJson(ctx.res, 200, listOf(type, result.items, meta, ctx.shape));
}

export function sendObject(ctx: RequestContext, code: number, obj: KubeObject): void {
  const type = ctx.route.type;
  if (ctx.shape === 'table' && ctx.req.method === 'GET') {
    sendJson(
      ctx.res,
      code,
      toTable(type, [obj], { includeObject: parseIncludeObject(ctx.query.get('includeObject')) }),
    );
  } else if (ctx.shape === 'partial' && ctx.req.method === 'GET') {
    sendJson(ctx.res, code, {
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: obj.metadata,
    });
  } else sendJson(ctx.res, code, toView(type, obj));
}

export function get(ctx: RequestContext): void {
  sendObject(ctx, 200, ctx.store.get(storageOf(ctx.route.type), ctx.route.namespace, ctx.route.name!));
}

/** The body must be a JSON object of this type's apiVersion/kind (both may be omitted). */
export async function readObject(
  ctx: RequestContext,
  kind = ctx.route.type.kind,
  apiVersion = apiVersionOf(ctx.route.type),
): Promise<KubeObject> {
  const body = await ctx.readJson(kind);
  if (!isPlainObject(body)) throw errors.badRequest(`the request body must be a JSON object of kind ${kind}`);
  if (body.apiVersion !== undefined && body.apiVersion !== apiVersion) {
    throw errors.badRequest(
      `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${apiVersion})`,
    );
  }
  if (body.kind !== undefined && body.kind !== kind) {
    throw errors.badRequest(
      `the kind in the data (${String(body.kind)}) does not match the expected kind (${kind})`,
    );
  }
  if (body.metadata !== undefined && !isPlainObject(body.metadata))
    throw errors.badRequest('metadata must be a JSON object');
  return { ...body, apiVersion, kind, metadata: { ...((body.metadata as object) ?? {}) } } as KubeObject;
}

function toStorage(type: ResourceType, obj: KubeObject): KubeObject {
  return type.view ? type.view.toStorage(obj) : obj;
}

export async function create(ctx: RequestContext): Promise<void> {
  const type = ctx.route.type;
  const obj = await readObject(ctx);
  const created = ctx.store.create(storageOf(type), toStorage(type, obj), {
    namespace: ctx.route.namespace,
    dryRun: dryRunParam(ctx.query),
  });
  sendJson(ctx.res, 201, toView(type, created));
}

/** Name and namespace of a PUT body must agree with the URL (they may be left out). */
export function bindToUrl(ctx: RequestContext, obj: KubeObject): void {
  const { name, namespace } = ctx.route;
  if (obj.metadata.name !== undefined && obj.metadata.name !== name) {
    throw errors.badRequest(
      `the name of the object (${String(obj.metadata.name)}) does not match the name on the URL (${name})`,
    );
  }
  if (
    namespace !== undefined &&
    obj.metadata.namespace !== undefined &&
    obj.metadata.namespace !== namespace
  ) {
    throw errors.badRequest(
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  }
  obj.metadata.name = name;
  if (namespace !== undefined) obj.metadata.namespace = namespace;
}

export async function update(ctx: RequestContext, statusOnly: boolean): Promise<void> {
  const type = ctx.route.type;
  const obj = await readObject(ctx);
  bindToUrl(ctx, obj);
  const storage = storageOf(type);
  const input = toStorage(type, obj);
  const dryRun = dryRunParam(ctx.query);
  const saved = statusOnly
    ? ctx.store.updateStatus(storage, input, { dryRun })
    : ctx.store.update(storage, input, { dryRun });
  sendJson(ctx.res, 200, toView(type, saved));
}

export function patchTypeOf(ctx: RequestContext): 'merge' | 'json' | 'strategic' {
  const ct = String(ctx.req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  const t = kPatchContentTypes[ct];
  if (!t) throw errors.unsupportedMediaType(ct, Object.keys(kPatchContentTypes));
  return t;
}

export async function patch(ctx: RequestContext, statusOnly: boolean): Promise<void> {
  const type = ctx.route.type;
  const ptype = patchTypeOf(ctx);
  const body = await ctx.readJson('patch');
  const storage = storageOf(type);
  const { namespace, name } = ctx.route;
  const options = {
    dryRun: dryRunParam(ctx.query),
    ...(statusOnly ? { subresource: 'status' as const } : {}),
  };
  let saved: StoredObject;
  if (type.view) {
    // Patches speak the view's schema (e.g. autoscaling/v1 fields), so apply them there.
    const current = ctx.store.get(storage, namespace, name!);
    const patched = applyPatch(ptype, type.view.fromStorage(current), body);
    if (!isPlainObject(patched) || !isPlainObject(patched.metadata))
      throw errors.badRequest('the patch does not produce an object with metadata');
    const input = type.view.toStorage(patched as KubeObject);
    bindToUrl(ctx, input);
    saved = statusOnly
      ? ctx.store.updateStatus(storage, input, options)
      : ctx.store.update(storage, input, options);
  } else saved = ctx.store.patch(storage, namespace, name!, ptype, body, options);
  sendJson(ctx.res, 200, toView(type, saved));
}

async function deleteOptions(ctx: RequestContext): Promise<DeleteOptions> {
  const hasBody =
    Number(ctx.req.headers['content-length'] ?? 0) > 0 || ctx.req.headers['transfer-encoding'] !== undefined;
  let opts: DeleteOptions = {};
  if (hasBody) {
    const body = await ctx.readJson('DeleteOptions');
    if (!isPlainObject(body)) throw errors.badRequest('the request body must be a DeleteOptions JSON object');
    opts = body as DeleteOptions;
  }
  const grace = intParam(ctx.query, 'gracePeriodSeconds');
  if (grace !== undefined) opts.gracePeriodSeconds = grace;
  const policy = ctx.query.get('propagationPolicy');
  if (policy) opts.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
  if (ctx.query.has('orphanDependents')) opts.orphanDependents = boolParam(ctx.query, 'orphanDependents');
  const dryRun =
    dryRunParam(ctx.query) ||
    (Array.isArray((opts as { dryRun?: unknown }).dryRun) &&
      ((opts as { dryRun?: unknown[] }).dryRun ?? []).includes('All'));
  return { ...opts, dryRun };
}

export async function remove(ctx: RequestContext): Promise<void> {
  const type = ctx.route.type;
  const opts = await deleteOptions(ctx);
  const { object, removed } = ctx.store.delete(storageOf(type), ctx.route.namespace, ctx.route.name!, opts);
  if (removed && !type.returnsDeletedObject) {
    sendJson(
      ctx.res,
      200,
      successStatus(200, {
        name: object.metadata.name,
        ...(type.group ? { group: type.group } : {}),
        kind: type.plural,
        uid: object.metadata.uid,
      }),
    );
  } else sendJson(ctx.res, 200, toView(type, object));
}

export async function removeCollection(ctx: RequestContext): Promise<void> {
  const type = ctx.route.type;
  const opts = await deleteOptions(ctx);
  const items = ctx.store.deleteCollection(storageOf(type), selectorOptions(ctx), opts);
  sendJson(ctx.res, 200, listOf(type, items, { resourceVersion: ctx.store.resourceVersion }, 'object'));
}
