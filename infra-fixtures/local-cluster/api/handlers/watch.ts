/**
 * Watch streams (spec §5): headers flushed at once (client-node waits for them, G5), one compact
 * JSON event per line, Table-wrapped objects when the client asked for Tables (kubectl get -w, G8),
 * bookmarks on request, and a close after `timeoutSeconds` (default: the server's long timeout).
 */
import { ApiError } from '../../store/errors.ts';
import { apiVersionOf, isCustomStorage } from '../../store/registry.ts';
import type { KubeObject, WatchEvent } from '../../store/types.ts';
import { boolParam, intParam, type RequestContext } from '../context.ts';
import { parseIncludeObject, partialMetadata, toTable, toView } from '../representation.ts';
import { selectorOptions, storageOf } from './crud.ts';

/** A client that stops reading gets cut off rather than growing our buffers without bound. */
const kMaxBufferedBytes = 8 * 1024 * 1024;

export function serveWatch(ctx: RequestContext): void {
  const type = ctx.route.type;
  const storage = storageOf(type);
  const { res, query } = ctx;
  const sel = selectorOptions(ctx);
  if (ctx.route.name !== undefined) {
    sel.fieldSelector = [sel.fieldSelector, `metadata.name=${ctx.route.name}`].filter(Boolean).join(',');
  }
  const timeoutSeconds = intParam(query, 'timeoutSeconds');
  const bookmarks = boolParam(query, 'allowWatchBookmarks');
  const includeObject = parseIncludeObject(query.get('includeObject'));
  const sendInitialEvents = boolParam(query, 'sendInitialEvents');
  let headerSent = false;
  let closed = false;
  let firstTable = true;

  const encode = (event: WatchEvent): string => {
    let object: KubeObject = event.object;
    if (event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED') {
      if (ctx.shape === 'table') {
        object = toTable(type, [object], { includeObject, noHeaders: !firstTable });
        firstTable = false;
      } else if (ctx.shape === 'partial') object = partialMetadata(toView(type, object));
      else object = toView(type, object);
    }
    return `${JSON.stringify({ type: event.type, object })}\n`;
  };

  const write = (event: WatchEvent): void => {
    if (closed) return;
    if (event.type === 'BOOKMARK' && !bookmarks) return;
    res.write(encode(event));
    if (res.writableLength > kMaxBufferedBytes) finish();
  };

  const startHeaders = (): void => {
    if (headerSent) return;
    headerSent = true;
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    res.flushHeaders();
  };

  let watch: { stop(): void } | undefined;
  let definition: { stop(): void } | undefined;
  const timers: { lifetime?: NodeJS.Timeout; bookmark?: NodeJS.Timeout } = {};
  let unregister = (): void => {};
  function finish(): void {
    if (closed) return;
    closed = true;
    watch?.stop();
    definition?.stop();
    clearTimeout(timers.lifetime);
    clearTimeout(timers.bookmark);
    unregister();
    if (!res.writableEnded) res.end();
  }

  // Replayed events arrive inside store.watch(); hold them until we know the watch is valid,
  // so a bad selector still gets a proper 400 Status instead of a broken stream.
  const pending: WatchEvent[] = [];
  let live = false;
  try {
    watch = ctx.store.watch(
      storage,
      { ...sel, resourceVersion: query.get('resourceVersion') ?? '', sendInitialEvents },
      (e) => (live ? write(e) : pending.push(e)),
    );
  } catch (err) {
    if (err instanceof ApiError && err.code === 410) {
      // An ERROR event then a clean close makes informers relist (spec §5).
      startHeaders();
      res.write(`${JSON.stringify({ type: 'ERROR', object: err.toStatus() })}\n`);
      finish();
      return;
    }
    throw err;
  }
  startHeaders();
  live = true;
  for (const e of pending.splice(0)) write(e);
  res.on('close', finish);
  ctx.req.on('close', finish);
  unregister = ctx.onClose(finish);
  if (isCustomStorage(storage)) {
    // Upstream ends the watches of a custom resource once its definition is gone.
    definition = ctx.store.watch(
      'customresourcedefinitions',
      { fieldSelector: `metadata.name=${storage}` },
      (e) => e.type === 'DELETED' && finish(),
    );
  }
  const lifetime =
    timeoutSeconds !== undefined && timeoutSeconds > 0
      ? timeoutSeconds * 1000
      : ctx.settings.watchTimeoutMs();
  timers.lifetime = setTimeout(finish, lifetime);
  if (bookmarks) {
    const bookmark = (): void => {
      write({
        type: 'BOOKMARK',
        object: {
          kind: type.kind,
          apiVersion: apiVersionOf(type),
          metadata: { resourceVersion: ctx.store.resourceVersion },
        },
      });
      if (!closed) timers.bookmark = setTimeout(bookmark, ctx.settings.bookmarkIntervalMs);
    };
    timers.bookmark = setTimeout(bookmark, ctx.settings.bookmarkIntervalMs);
  }
}
