/**
 * The HTTPS API server of the local cluster: the subset of the Kubernetes API that kubectl 1.32
 * and client-node 1.4 use (spec `kube-api.md`). TLS with a per-start CA, a per-start bearer token,
 * and a Status reply for every failure; no handler error can take the server down.
 *
 *   const api = await startApiServer({ store, dir });   // → { url, port, caPem, token, kubeconfigPath, providers, close }
 *   kubectl --kubeconfig api.kubeconfigPath get pods
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { errors } from '../store/errors.ts';
import type { Store } from '../store/store.ts';
import { generateServerCerts } from './certs.ts';
import type { Providers, RequestContext, ServerSettings } from './context.ts';
import {
  apiGroupDoc,
  apiGroupList,
  apiResourceList,
  apiVersions,
  kVersionInfo,
  rootPaths,
} from './discovery.ts';
import { handleResource } from './handlers/dispatch.ts';
import {
  checkBodyType,
  kDefaultMaxBodyBytes,
  parseJsonBody,
  readBody,
  sendError,
  sendJson,
} from './httpIo.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { serveOpenApi } from './openapi.ts';
import { parseRoute } from './paths.ts';
import { negotiateShape } from './representation.ts';

export interface ApiServerOptions {
  store: Store;
  /** Loopback address to bind; default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Directory for the kubeconfig (created if missing). */
  dir: string;
  /** Fixed bearer token; default a random one per start. */
  token?: string;
  providers?: Providers;
  /** Request bodies above this are refused with 413; default 3 MiB. */
  maxBodyBytes?: number;
  /** Interval of BOOKMARK events for watches that allow them; default 60 s. */
  bookmarkIntervalMs?: number;
  /** Lifetime of watches that send no timeoutSeconds; default random 30–60 min (spec §5). */
  watchTimeoutMs?: () => number;
  /**
   * Non-resource paths (e.g. the cluster's fault admin API) served behind the same bearer token.
   * A handler throws ApiError for failures; they are sent as Status objects like every other error.
   */
  extraRoutes?: readonly ExtraRoute[];
}

export interface ExtraRoute {
  /** Path prefix such as `/local-cluster/v1/`; matched before the Kubernetes routes. */
  prefix: string;
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
}

export interface ApiServer {
  url: string;
  port: number;
  caPem: string;
  token: string;
  kubeconfigPath: string;
  /** Mutable: the kubelet, PDB and metrics modules plug in here, before or after start. */
  providers: Providers;
  close(): Promise<void>;
}

/** Paths the real server serves to anonymous clients (system:public-info-viewer). */
const kPublicPaths = new Set(['/version', '/healthz', '/livez', '/readyz']);

function authorized(req: IncomingMessage, token: string, pathname: string): boolean {
  const header = req.headers.authorization;
  if (header === undefined) return kPublicPaths.has(pathname);
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!m) return false;
  const given = Buffer.from(m[1]!.trim());
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const host = options.host ?? '127.0.0.1';
  if (!/^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(host)) {
    throw new Error(
      `startApiServer: host "${host}" is not a loopback address; use 127.0.0.1 (the local cluster never listens beyond loopback)`,
    );
  }
  const { store } = options;
  const token = options.token ?? randomBytes(24).toString('base64url');
  const certs = await generateServerCerts(host);
  const providers: Providers = { ...(options.providers ?? {}) };
  const settings: ServerSettings = {
    maxBodyBytes: options.maxBodyBytes ?? kDefaultMaxBodyBytes,
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
    watchTimeoutMs: options.watchTimeoutMs ?? (() => (30 + Math.random() * 30) * 60_000),
  };
  const closers = new Set<() => void>();
  const sockets = new Set<Socket>();
  let address = '';

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://local');
    if (!authorized(req, token, url.pathname)) throw errors.unauthorized();
    const extra = options.extraRoutes?.find(
      (e) => url.pathname === e.prefix.replace(/\/$/, '') || url.pathname.startsWith(e.prefix),
    );
    if (extra) return extra.handle(req, res, url);
    const r = parseRoute(url.pathname, store.registry);
    const getOnly = (): void => {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw errors.methodNotAllowed();
    };
    switch (r.kind) {
      case 'root':
        getOnly();
        return sendJson(res, 200, rootPaths(store.registry));
      case 'version':
        getOnly();
        return sendJson(res, 200, kVersionInfo);
      case 'health':
        getOnly();
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('ok');
        return;
      case 'api':
        getOnly();
        return sendJson(res, 200, apiVersions(address));
      case 'apis':
        getOnly();
        return sendJson(res, 200, apiGroupList(store.registry));
      case 'group':
        getOnly();
        return sendJson(res, 200, apiGroupDoc(store.registry, r.group));
      case 'groupVersion':
        getOnly();
        return sendJson(res, 200, apiResourceList(store.registry, r.group, r.version));
      case 'openapi': {
        getOnly();
        const reply = serveOpenApi(store.registry, r.rest);
        if (reply.code !== 200) throw errors.pathNotFound();
        return sendJson(res, 200, reply.body);
      }
      case 'notFound':
        throw errors.pathNotFound();
      case 'resource': {
        const ctx: RequestContext = {
          req,
          res,
          query: url.searchParams,
          store,
          route: r,
          providers,
          settings,
          shape: negotiateShape(req.headers),
          readJson: async (what) => {
            // PATCH bodies are typed by the patch Content-Type, checked by the patch handlers.
            const format = req.method === 'PATCH' ? 'json' : checkBodyType(req.headers['content-type']);
            return parseJsonBody(await readBody(req, settings.maxBodyBytes), what, format);
          },
          onClose: (fn) => {
            closers.add(fn);
            return () => closers.delete(fn);
          },
        };
        return handleResource(ctx);
      }
    }
  }

  const server: Server = createServer({ key: certs.keyPem, cert: certs.certPem }, (req, res) => {
    req.on('error', () => res.destroy());
    res.on('error', () => undefined);
    route(req, res).catch((err: unknown) => {
      try {
        if (res.headersSent) res.end();
        else sendError(res, err);
      } catch {
        res.destroy();
      }
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', (_err, socket) => socket.destroy());
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  address = `${hostPart}:${port}`;
  const url = `https://${address}`;
  const kubeconfigPath = await writeKubeconfig(options.dir, { url, caPem: certs.caPem, token });

  return {
    url,
    port,
    caPem: certs.caPem,
    token,
    kubeconfigPath,
    providers,
    close: () =>
      new Promise<void>((resolve) => {
        for (const fn of [...closers]) fn();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
