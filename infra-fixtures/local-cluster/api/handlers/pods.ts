/**
 * Pod subresources: `log` (delegated to the log provider), `eviction` (delegated to the eviction
 * handler; PDB checks belong to whoever installs it) and `binding` (what a scheduler posts).
 */
import { errors } from '../../store/errors.ts';
import { isPlainObject } from '../../store/json.ts';
import { bindPod } from '../../store/podOps.ts';
import type { DeleteOptions, StoredObject } from '../../store/types.ts';
import {
  boolParam,
  dryRunParam,
  intParam,
  type EvictionHandler,
  type LogOptions,
  type RequestContext,
} from '../context.ts';
import { sendJson, successStatus } from '../httpIo.ts';

/** Default eviction: no budgets to consult, just delete the pod with the given options. */
export const deleteOnEviction: EvictionHandler = ({ store, pod, deleteOptions, dryRun }) => {
  store.delete('pods', pod.metadata.namespace, pod.metadata.name, { ...deleteOptions, dryRun });
};

function chooseContainer(pod: StoredObject, requested: string | null): string {
  const names: string[] = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].map(
    (c: { name: string }) => c.name,
  );
  if (requested) {
    if (!names.includes(requested))
      throw errors.badRequest(`container ${requested} is not valid for pod ${pod.metadata.name}`);
    return requested;
  }
  const main = (pod.spec?.containers ?? []).map((c: { name: string }) => c.name);
  const annotated = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
  if (annotated && main.includes(annotated)) return annotated;
  if (main.length !== 1) {
    throw errors.badRequest(
      `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${main.join(' ')}]`,
    );
  }
  return main[0]!;
}

export async function handleLog(ctx: RequestContext): Promise<void> {
  if (ctx.req.method !== 'GET') throw errors.methodNotAllowed();
  const pod = ctx.store.get('pods', ctx.route.namespace, ctx.route.name!);
  const q = ctx.query;
  const options: LogOptions = {
    container: chooseContainer(pod, q.get('container')),
    follow: boolParam(q, 'follow'),
    previous: boolParam(q, 'previous'),
    timestamps: boolParam(q, 'timestamps'),
  };
  const tail = intParam(q, 'tailLines');
  if (tail !== undefined) options.tailLines = tail;
  const since = intParam(q, 'sinceSeconds');
  if (since !== undefined) options.sinceSeconds = since;
  const limit = intParam(q, 'limitBytes');
  if (limit !== undefined) options.limitBytes = limit;
  const abort = new AbortController();
  const unregister = ctx.onClose(() => abort.abort());
  ctx.res.on('close', () => abort.abort());
  try {
    const out = ctx.providers.logs ? await ctx.providers.logs(pod, options, abort.signal) : '';
    if (typeof out === 'string') {
      ctx.res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(out) });
      ctx.res.end(out);
      return;
    }
    ctx.res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    ctx.res.flushHeaders();
    if (typeof out === 'function') {
      await new Promise<void>((resolve) => {
        const stop = out((chunk) => ctx.res.write(chunk), resolve);
        abort.signal.addEventListener('abort', () => {
          stop();
          resolve();
        });
      });
    } else {
      for await (const chunk of out) {
        if (abort.signal.aborted) break;
        ctx.res.write(chunk);
      }
    }
    ctx.res.end();
  } finally {
    unregister();
  }
}

export async function handleEviction(ctx: RequestContext): Promise<void> {
  if (ctx.req.method !== 'POST') throw errors.methodNotAllowed();
  const body = await ctx.readJson('Eviction');
  if (!isPlainObject(body)) throw errors.badRequest('the request body must be an Eviction JSON object');
  const meta = isPlainObject(body.metadata) ? body.metadata : {};
  if (meta.name !== undefined && meta.name !== ctx.route.name) {
    throw errors.badRequest(`name in URL does not match name in Eviction object`);
  }
  const pod = ctx.store.get('pods', ctx.route.namespace, ctx.route.name!);
  const deleteOptions = (isPlainObject(body.deleteOptions) ? body.deleteOptions : {}) as DeleteOptions;
  const handler = ctx.providers.eviction ?? deleteOnEviction;
  await handler({
    store: ctx.store,
    pod,
    eviction: body as never,
    deleteOptions,
    dryRun: dryRunParam(ctx.query),
  });
  sendJson(ctx.res, 201, successStatus(201));
}

export async function handleBinding(ctx: RequestContext): Promise<void> {
  if (ctx.req.method !== 'POST') throw errors.methodNotAllowed();
  const body = await ctx.readJson('Binding');
  const target = isPlainObject(body) && isPlainObject(body.target) ? body.target : undefined;
  if (!target || typeof target.name !== 'string' || !target.name)
    throw errors.badRequest('Binding.target.name is required: the node to bind the pod to');
  const { namespace, name } = ctx.route;
  const pod = ctx.store.get('pods', namespace, name!);
  if (pod.spec?.nodeName)
    throw errors.conflict(
      'pods',
      name!,
      '',
      `pod ${name} is already assigned to node "${pod.spec.nodeName}"`,
    );
  if (!dryRunParam(ctx.query)) bindPod(ctx.store, pod, target.name);
  sendJson(ctx.res, 201, successStatus(201));
}
