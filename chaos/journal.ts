/**
 * The chaos journal: JSON lines in the run directory, written before anything is touched, so a run
 * killed at any moment leaves enough to undo what it did (`recoverFromJournal`).
 *
 *   {"v":1,"type":"inject","id":"<run>/3","action":"node-drain","mark":"<run>/node-drain",
 *    "server":…,"context":…,"target":…,"objects":[…],"undo":[…],"at":ISO,"t":12.3}
 *   {"v":1,"type":"update","id":…,"objects":[…],"undo":[…],"detail":{…}}    undo information grew
 *   {"v":1,"type":"reverted","id":…,"by":"revert"|"recover","at":ISO}
 *
 * Touched nodes and deployments also carry the annotation `gauntlet.dev/chaos: <run-id>/<action>`
 * while the fault is active, so `kubectl get` shows who changed them, and recovery can tell our
 * change from a later one by someone else.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ClusterClient } from '../lib/cluster/client.ts';
import type { ChaosTarget, JournalEntry, TouchedObject, UndoStep } from './action.ts';
import { isNotFound, mergePatch, wrapApiError } from './k8s.ts';

export const CHAOS_ANNOTATION = 'gauntlet.dev/chaos';
export const JOURNAL_FILE = 'chaos-journal.jsonl';

export interface JournalHeader {
  readonly id: string;
  readonly runId: string;
  readonly action: string;
  /** Value of the annotation on touched objects. */
  readonly mark: string;
  readonly server: string;
  readonly context: string;
  readonly target: ChaosTarget;
}

type Line =
  | ({ v: 1; type: 'inject'; at: string; t: number | null } & JournalHeader & JournalEntry)
  | ({ v: 1; type: 'update'; id: string; at: string } & Omit<JournalEntry, 'action'>)
  | { v: 1; type: 'reverted'; id: string; at: string; by: 'revert' | 'recover'; note?: string };

/** One journal entry folded over its lines. */
export interface JournalRecord extends JournalHeader {
  readonly objects: readonly TouchedObject[];
  readonly undo: readonly UndoStep[];
  readonly detail?: Record<string, unknown>;
  readonly injectedAt: string;
  readonly reverted: boolean;
}

export class ChaosJournal {
  private _chain: Promise<void> = Promise.resolve();
  private _seq = 0;

  private constructor(readonly file: string) {}

  /** Opens (creating the directory) the journal; lines are appended, never rewritten. */
  static async open(file: string): Promise<ChaosJournal> {
    await mkdir(path.dirname(file), { recursive: true });
    return new ChaosJournal(file);
  }

  nextId(runId: string): string {
    this._seq += 1;
    return `${runId}/${this._seq}`;
  }

  /** Appends one line; appends are serialised so lines never interleave. */
  append(line: Line): Promise<void> {
    const next = this._chain.then(() => appendFile(this.file, `${JSON.stringify(line)}\n`, 'utf8'));
    this._chain = next.catch(() => undefined);
    return next;
  }

  /**
   * A guard for one injection: `checkpoint(entry)` writes the entry (first call: `inject`, later:
   * `update`) and annotates newly listed objects, before the action changes them;
   * `reverted()` removes the annotations and closes the entry.
   */
  guard(header: Omit<JournalHeader, 'id' | 'mark'>, t: () => number | null): JournalGuard {
    const id = this.nextId(header.runId);
    const full: JournalHeader = { ...header, id, mark: `${header.runId}/${header.action}` };
    return new JournalGuard(this, full, t);
  }
}

export class JournalGuard {
  private _written = false;
  private _marked: TouchedObject[] = [];

  constructor(
    private readonly _journal: ChaosJournal,
    readonly header: JournalHeader,
    private readonly _t: () => number | null,
  ) {}

  /** Whether an entry was written (i.e. the action got as far as touching something). */
  get written(): boolean {
    return this._written;
  }

  async checkpoint(client: ClusterClient, entry: JournalEntry): Promise<void> {
    const at = new Date().toISOString();
    if (!this._written) {
      await this._journal.append({ v: 1, type: 'inject', at, t: this._t(), ...this.header, ...entry });
      this._written = true;
    } else {
      await this._journal.append({
        v: 1,
        type: 'update',
        id: this.header.id,
        at,
        objects: entry.objects,
        undo: entry.undo,
        ...(entry.detail ? { detail: entry.detail } : {}),
      });
    }
    const fresh = entry.objects.filter((o) => o.mark && !this._marked.some((m) => sameObject(m, o)));
    for (const o of fresh) {
      // Remembered first: a patch whose answer is lost may still have landed, and clearing is safe.
      this._marked.push(o);
      await setMark(client, o, this.header.mark);
    }
  }

  /** Removes our annotations (only where they are still ours) and closes the entry. */
  async reverted(client: ClusterClient, note?: string): Promise<void> {
    if (!this._written) return;
    for (const o of this._marked) await clearMark(client, o, this.header.mark);
    await this._journal.append({
      v: 1,
      type: 'reverted',
      id: this.header.id,
      at: new Date().toISOString(),
      by: 'revert',
      ...(note ? { note } : {}),
    });
  }
}

export function sameObject(a: TouchedObject, b: TouchedObject): boolean {
  return a.kind === b.kind && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '');
}

export function objectLabel(o: Pick<TouchedObject, 'kind' | 'name' | 'namespace'>): string {
  const kind = o.kind.toLowerCase();
  return o.namespace ? `${kind}/${o.namespace}/${o.name}` : `${kind}/${o.name}`;
}

/** Reads and folds a journal file; entries in first-injection order. */
export async function readJournal(file: string): Promise<JournalRecord[]> {
  const text = await readFile(file, 'utf8');
  const byId = new Map<string, JournalRecord>();
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    if (!raw.trim()) return;
    let line: Line;
    try {
      line = JSON.parse(raw) as Line;
    } catch {
      // A run killed mid-write leaves at most a torn last line; anything else is damage.
      if (lines.slice(i + 1).every((l) => !l.trim())) return;
      throw new Error(`${file}:${i + 1}: not a JSON line; the journal is damaged`);
    }
    if (line.type === 'inject') {
      const { v: _v, type: _type, at, t: _t, ...rest } = line;
      byId.set(line.id, { ...rest, injectedAt: at, reverted: false });
      return;
    }
    const prev = byId.get(line.id);
    if (!prev) return;
    if (line.type === 'update')
      byId.set(line.id, {
        ...prev,
        objects: line.objects,
        undo: line.undo,
        ...(line.detail ? { detail: line.detail } : {}),
      });
    else byId.set(line.id, { ...prev, reverted: true });
  });
  return [...byId.values()];
}

/** Appends a `reverted` line for an entry closed by recovery. */
export async function markRecovered(file: string, id: string, note?: string): Promise<void> {
  const line: Line = { v: 1, type: 'reverted', id, at: new Date().toISOString(), by: 'recover' };
  await appendFile(file, `${JSON.stringify(note ? { ...line, note } : line)}\n`, 'utf8');
}

/** Reads the annotation of a node or deployment; undefined when absent, null when the object is gone. */
export async function readMark(client: ClusterClient, o: TouchedObject): Promise<string | undefined | null> {
  try {
    const obj =
      o.kind === 'Node'
        ? await client.core.readNode({ name: o.name })
        : o.kind === 'Deployment'
          ? await client.apps.readNamespacedDeployment({ name: o.name, namespace: o.namespace ?? 'default' })
          : await client.core.readNamespacedPod({ name: o.name, namespace: o.namespace ?? 'default' });
    return obj.metadata?.annotations?.[CHAOS_ANNOTATION];
  } catch (err) {
    if (isNotFound(err)) return null;
    throw wrapApiError(`read ${objectLabel(o)}`, err);
  }
}

export async function setMark(client: ClusterClient, o: TouchedObject, mark: string): Promise<void> {
  await patchAnnotation(client, o, mark);
}

/** Removes the annotation if it still carries `mark` (someone else's later mark is left alone). */
export async function clearMark(client: ClusterClient, o: TouchedObject, mark: string): Promise<void> {
  const current = await readMark(client, o);
  if (current === mark) await patchAnnotation(client, o, null);
}

async function patchAnnotation(client: ClusterClient, o: TouchedObject, value: string | null): Promise<void> {
  const body = { metadata: { annotations: { [CHAOS_ANNOTATION]: value } } };
  try {
    if (o.kind === 'Node') await client.core.patchNode({ name: o.name, body }, mergePatch());
    else if (o.kind === 'Deployment')
      await client.apps.patchNamespacedDeployment(
        { name: o.name, namespace: o.namespace ?? 'default', body },
        mergePatch(),
      );
    else
      await client.core.patchNamespacedPod(
        { name: o.name, namespace: o.namespace ?? 'default', body },
        mergePatch(),
      );
  } catch (err) {
    // Removing a mark from an object that is gone is done.
    if (value === null && isNotFound(err)) return;
    throw wrapApiError(`annotate ${objectLabel(o)}`, err);
  }
}
