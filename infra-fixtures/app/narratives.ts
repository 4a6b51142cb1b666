/**
 * The narrative API: create (POST /api/v1/narratives) and fetch (GET /api/v1/narratives/:id).
 * Only the inputs are stored; the text is re-rendered on read, since generation is deterministic
 * and a prompt is far smaller than the story it yields.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { isJsonContentType, readBody, type Responder } from './http-io.ts';
import { parseNarrativeInput, type Genre } from './narrative-input.ts';
import { LruStore } from './narrative-store.ts';
import { generateText } from './narrative-text.ts';
import type { WorkQueue } from './work-queue.ts';

export const collectionPath = '/api/v1/narratives';

interface StoredNarrative {
  readonly id: string;
  readonly prompt: string;
  readonly genre: Genre;
  readonly maxWords: number;
  readonly createdAt: string;
}

export interface Narrative {
  readonly id: string;
  readonly prompt: string;
  readonly genre: Genre;
  readonly text: string;
  readonly words: number;
  readonly createdAt: string;
}

export interface NarrativeDeps {
  readonly respond: Responder;
  readonly queue: WorkQueue;
  readonly addedLatencyMs: number;
  readonly store?: LruStore<StoredNarrative>;
}

const idPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function render(n: StoredNarrative): Narrative {
  return {
    id: n.id,
    prompt: n.prompt,
    genre: n.genre,
    text: generateText(n.prompt, n.genre, n.maxWords),
    words: n.maxWords,
    createdAt: n.createdAt,
  };
}

export interface NarrativeHandlers {
  create(req: IncomingMessage, res: ServerResponse): Promise<void>;
  fetch(id: string, res: ServerResponse): Promise<void>;
}

export function createNarrativeHandlers(deps: NarrativeDeps): NarrativeHandlers {
  const { respond, queue, addedLatencyMs } = deps;
  const store = deps.store ?? new LruStore<StoredNarrative>();
  // Stands in for a downstream call (model server, database): time passes, no CPU is used.
  const downstream = async (): Promise<void> => {
    if (addedLatencyMs > 0) await sleep(addedLatencyMs);
  };

  return {
    async create(req, res) {
      if (!isJsonContentType(req.headers['content-type'])) {
        const got = req.headers['content-type'] ?? 'none';
        respond.error(
          res,
          400,
          'unsupported_content_type',
          `content-type must be application/json, got ${got}`,
          'content-type',
        );
        return;
      }
      const body = await readBody(req);
      if (body.kind === 'aborted') return;
      if (body.kind === 'too-large') {
        // The rest of the body is never read, so this connection cannot carry another request.
        respond.error(res, 413, 'payload_too_large', 'request body must be at most 65536 bytes', 'body', {
          connection: 'close',
        });
        return;
      }
      const parsed = parseNarrativeInput(body.text);
      if (!parsed.ok) {
        respond.error(res, 400, parsed.error.code, parsed.error.message, parsed.error.field);
        return;
      }
      const narrative = await queue.run(() => {
        const stored: StoredNarrative = {
          id: randomUUID(),
          ...parsed.value,
          createdAt: new Date().toISOString(),
        };
        store.set(stored.id, stored);
        return render(stored);
      });
      await downstream();
      respond.json(res, 201, narrative, { location: `${collectionPath}/${narrative.id}` });
    },

    async fetch(id, res) {
      if (!idPattern.test(id)) {
        respond.error(
          res,
          400,
          'invalid_id',
          `id must be a UUID like 3f2b8c1e-0a4d-4e6f-9b7a-1c2d3e4f5a6b, got ${JSON.stringify(id.slice(0, 80))}`,
          'id',
        );
        return;
      }
      const narrative = await queue.run(() => {
        const stored = store.get(id.toLowerCase());
        return stored === undefined ? undefined : render(stored);
      });
      await downstream();
      if (narrative === undefined) {
        respond.error(res, 404, 'not_found', `no narrative with id ${id}`, 'id');
        return;
      }
      respond.json(res, 200, narrative);
    },
  };
}
