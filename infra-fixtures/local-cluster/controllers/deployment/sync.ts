/**
 * One reconcile pass over a Deployment: its ReplicaSets (claimed, new one found or created with
 * the next revision), scaling with the events upstream emits, history cleanup, and the status write.
 */
import { ApiError } from '../../store/errors.ts';
import { clone, jsonEqual } from '../../store/json.ts';
import { labelSelectorRequirements, matchesRequirements } from '../../store/selectors.ts';
import type { Store } from '../../store/store.ts';
import type { KubeObject, StoredObject } from '../../store/types.ts';
import type { EventRecorder } from '../events.ts';
import { controllerOwnerReference, controllerRef, creationMs, isTerminating } from '../podUtil.ts';
import { applyProgress, calculateStatus, newCondition, setCondition } from './status.ts';
import {
  equalIgnoreHash,
  kDesiredReplicasAnnotation,
  kHashLabel,
  kMaxReplicasAnnotation,
  kRevisionAnnotation,
  kRevisionHistoryAnnotation,
  kSkippedAnnotations,
  replicasOf,
  revisionOf,
  surgeAndUnavailable,
  templateHash,
} from './util.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

export class DeploymentSync {
  readonly store: Store;
  readonly recorder: EventRecorder;
  d: StoredObject;
  /** All ReplicaSets controlled by the Deployment, kept current as we scale them. */
  rsList: StoredObject[];
  /** Status conditions/collisionCount decided during this pass, merged into the final status. */
  readonly base: any;
  readonly now: Date;

  constructor(store: Store, recorder: EventRecorder, d: StoredObject) {
    this.store = store;
    this.recorder = recorder;
    this.d = d;
    this.now = store.now();
    this.base = clone(d.status ?? {});
    this.rsList = this._claim();
  }

  private _claim(): StoredObject[] {
    const d = this.d;
    const reqs = labelSelectorRequirements(d.spec.selector);
    const out: StoredObject[] = [];
    for (const rs of this.store.list('replicasets', { namespace: d.metadata.namespace }).items) {
      const ref = controllerRef(rs);
      if (ref?.uid === d.metadata.uid) out.push(rs);
      else if (!ref && !isTerminating(rs) && matchesRequirements(reqs, rs.metadata.labels)) {
        out.push(
          this.store.mutate('replicasets', rs.metadata.namespace, rs.metadata.name, (draft) => {
            draft.metadata.ownerReferences = [
              ...(draft.metadata.ownerReferences ?? []),
              controllerOwnerReference(d),
            ];
          }),
        );
      }
    }
    return out.sort((a, b) => creationMs(a) - creationMs(b) || (a.metadata.name < b.metadata.name ? -1 : 1));
  }

  /** The oldest ReplicaSet whose template equals the Deployment's (ignoring pod-template-hash). */
  findNew(): StoredObject | undefined {
    return this.rsList.find((rs) => equalIgnoreHash(rs.spec?.template, this.d.spec.template));
  }

  oldOf(newRS: StoredObject | undefined): StoredObject[] {
    return this.rsList.filter((rs) => rs !== newRS);
  }

  private _maxOldRevision(newRS: StoredObject | undefined): number {
    return Math.max(0, ...this.oldOf(newRS).map(revisionOf));
  }

  /** Finds (and revision-syncs) or creates the new ReplicaSet; `replicas` is used on creation. */
  getNew(create: boolean, replicasOnCreate: (current: StoredObject[]) => number): StoredObject | undefined {
    const existing = this.findNew();
    const nextRevision = this._maxOldRevision(existing) + 1;
    if (existing) {
      const ann = existing.metadata.annotations ?? {};
      const rev = revisionOf(existing);
      const wantAnn: Record<string, string> = { ...ann };
      if (rev < nextRevision) {
        wantAnn[kRevisionAnnotation] = String(nextRevision);
        if (rev > 0)
          wantAnn[kRevisionHistoryAnnotation] = [ann[kRevisionHistoryAnnotation], String(rev)]
            .filter(Boolean)
            .join(',');
      }
      const minReady = this.d.spec.minReadySeconds ?? 0;
      let rs = existing;
      if (!jsonEqual(wantAnn, ann) || (existing.spec?.minReadySeconds ?? 0) !== minReady) {
        rs = this.store.mutate(
          'replicasets',
          existing.metadata.namespace,
          existing.metadata.name,
          (draft) => {
            draft.metadata.annotations = wantAnn;
            draft.spec.minReadySeconds = minReady;
          },
        );
        this._replace(rs);
      }
      this._setRevision(rs);
      if (!this.base.conditions?.some((c: any) => c.type === 'Progressing')) {
        setCondition(
          this.base,
          newCondition(
            'Progressing',
            'True',
            'FoundNewReplicaSet',
            `Found new replica set "${rs.metadata.name}"`,
            this.now,
          ),
        );
      }
      return rs;
    }
    if (!create) return undefined;
    return this._create(nextRevision, replicasOnCreate(this.rsList));
  }

  private _create(revision: number, replicas: number): StoredObject | undefined {
    const d = this.d;
    const hash = templateHash(d.spec.template, this.base.collisionCount);
    const template = clone(d.spec.template);
    template.metadata ??= {};
    template.metadata.labels = { ...(template.metadata.labels ?? {}), [kHashLabel]: hash };
    const selector = clone(d.spec.selector);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [kHashLabel]: hash };
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(d.metadata.annotations ?? {}))
      if (!kSkippedAnnotations.has(k)) annotations[k] = v;
    annotations[kRevisionAnnotation] = String(revision);
    annotations[kDesiredReplicasAnnotation] = String(replicasOf(d));
    annotations[kMaxReplicasAnnotation] = String(replicasOf(d) + surgeAndUnavailable(d).maxSurge);
    const name = `${d.metadata.name}-${hash}`;
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: d.metadata.namespace,
        labels: template.metadata.labels,
        annotations,
        ownerReferences: [controllerOwnerReference(d)],
      },
      spec: { replicas, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
    };
    try {
      const created = this.store.create('replicasets', rs);
      this.rsList.push(created);
      if (replicas > 0)
        this.recorder.record(
          d,
          'Normal',
          'ScalingReplicaSet',
          `Scaled up replica set ${name} to ${replicas}`,
        );
      setCondition(
        this.base,
        newCondition(
          'Progressing',
          'True',
          'NewReplicaSetCreated',
          `Created new replica set "${name}"`,
          this.now,
        ),
      );
      this._setRevision(created);
      return created;
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== 409) throw err;
      const clash = this.store.tryGet('replicasets', d.metadata.namespace, name);
      if (
        clash &&
        controllerRef(clash)?.uid === d.metadata.uid &&
        equalIgnoreHash(clash.spec?.template, d.spec.template)
      )
        return clash;
      // A different template hashed to an existing name: bump collisionCount and try again next pass.
      this.base.collisionCount = (this.base.collisionCount ?? 0) + 1;
      return undefined;
    }
  }

  private _setRevision(rs: StoredObject): void {
    const rev = rs.metadata.annotations?.[kRevisionAnnotation];
    if (!rev || this.d.metadata.annotations?.[kRevisionAnnotation] === rev) return;
    this.d = this.store.mutate('deployments', this.d.metadata.namespace, this.d.metadata.name, (draft) => {
      draft.metadata.annotations = { ...(draft.metadata.annotations ?? {}), [kRevisionAnnotation]: rev };
    });
  }

  private _replace(rs: StoredObject): void {
    this.rsList = this.rsList.map((x) => (x.metadata.uid === rs.metadata.uid ? rs : x));
  }

  /** Scales a ReplicaSet (and its replica annotations); true when anything changed. */
  scale(rs: StoredObject, replicas: number): boolean {
    const d = this.d;
    const desired = String(replicasOf(d));
    const max = String(replicasOf(d) + surgeAndUnavailable(d).maxSurge);
    const from = replicasOf(rs);
    const ann = rs.metadata.annotations ?? {};
    if (
      from === replicas &&
      ann[kDesiredReplicasAnnotation] === desired &&
      ann[kMaxReplicasAnnotation] === max
    )
      return false;
    const updated = this.store.mutate('replicasets', rs.metadata.namespace, rs.metadata.name, (draft) => {
      draft.spec.replicas = replicas;
      draft.metadata.annotations = {
        ...(draft.metadata.annotations ?? {}),
        [kDesiredReplicasAnnotation]: desired,
        [kMaxReplicasAnnotation]: max,
      };
    });
    this._replace(updated);
    if (from !== replicas) {
      const op = replicas > from ? 'up' : 'down';
      this.recorder.record(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled ${op} replica set ${rs.metadata.name} to ${replicas} from ${from}`,
      );
    }
    return from !== replicas;
  }

  current(rs: StoredObject): StoredObject {
    return this.rsList.find((x) => x.metadata.uid === rs.metadata.uid) ?? rs;
  }

  /** Deletes fully scaled-down old ReplicaSets beyond revisionHistoryLimit, oldest revision first. */
  cleanup(oldRSs: StoredObject[]): void {
    const limit = this.d.spec.revisionHistoryLimit ?? 10;
    const cleanable = oldRSs
      .map((rs) => this.current(rs))
      .filter(
        (rs) =>
          replicasOf(rs) === 0 &&
          (rs.status?.replicas ?? 0) === 0 &&
          !isTerminating(rs) &&
          (rs.status?.observedGeneration ?? 0) >= (rs.metadata.generation ?? 0),
      )
      .sort((a, b) => revisionOf(a) - revisionOf(b) || creationMs(a) - creationMs(b));
    for (const rs of cleanable.slice(0, Math.max(0, cleanable.length - limit))) {
      this.store.delete('replicasets', rs.metadata.namespace, rs.metadata.name);
      this.rsList = this.rsList.filter((x) => x.metadata.uid !== rs.metadata.uid);
    }
  }

  /** Writes status if it changed; returns a requeue delay for minReadySeconds/deadline checks. */
  syncStatus(newRS: StoredObject | undefined): number | undefined {
    const next = calculateStatus(this.d, newRS, this.rsList, this.base, this.now);
    const requeue = applyProgress(this.d, newRS, next, this.now);
    if (!jsonEqual(next, this.d.status ?? {})) {
      this.d = this.store.mutate(
        'deployments',
        this.d.metadata.namespace,
        this.d.metadata.name,
        (draft) => void (draft.status = next),
        {
          subresource: 'status',
        },
      );
    }
    return requeue;
  }
}
