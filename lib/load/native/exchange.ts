/**
 * One request/response exchange and the tracker of all that are in flight.
 *
 * An exchange is the undici dispatch handler itself (a plain object with prototype methods: no
 * closure per request). Its outcome is recorded once, "settled", either when undici finishes it or
 * when the tracker's sweep finds it past the timeout; its concurrency slot is released only when
 * undici lets go of it, so the number of requests held by the pool never exceeds `maxInFlight`.
 *
 * A sent request is reported to the metrics (as intended, then as its outcome) only when it
 * settles. Requests cancelled by an abort are therefore not counted at all: they are neither the
 * target's failures nor the generator's drops, and `intended = sent + dropped` holds for every run.
 *
 * In-flight exchanges form a linked list in dispatch order. All share one timeout, so that order is
 * also deadline order and a sweep only looks at the expired head of the list.
 */
import type { Dispatcher } from 'undici';
import type { Clock } from '../../run/clock.ts';
import { recordMs, type Histogram } from '../../metrics/histogram.ts';
import type { MetricsSink } from '../../metrics/types.ts';
import { RequestTimeoutError, classifyError, classifyStatus } from './classify.ts';
import type { RequestTemplate } from './target.ts';

export class Exchange implements Dispatcher.DispatchHandler {
  prev: Exchange | null = null;
  next: Exchange | null = null;
  controller: Dispatcher.DispatchController | null = null;
  status = 0;
  settled = false;
  sentAt: number;

  constructor(
    readonly tracker: Tracker,
    readonly template: RequestTemplate,
    readonly intendedAt: number,
    readonly dispatchedAt: number,
    /** Which closed-model user sent it (-1 in the open model). */
    readonly user: number,
  ) {
    this.sentAt = dispatchedAt;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    // Timed out while queued for a connection: do not send it late.
    if (this.settled) return controller.abort(this.tracker.timeoutError);
    this.controller = controller;
    this.sentAt = this.tracker.clock.now();
  }

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode;
  }

  // No onResponseData: undici then drops body chunks as they arrive, which is all we want of them.

  onResponseEnd(): void {
    this.tracker.release(this, null);
  }

  onResponseError(_c: Dispatcher.DispatchController | undefined, err: Error): void {
    this.tracker.release(this, err);
  }
}

export interface TrackerOptions {
  readonly clock: Clock;
  readonly metrics: MetricsSink;
  readonly timeoutMs: number;
  /** Schedule lag of every sent request (µs histogram), for the engine report. */
  readonly lag: Histogram;
  /** Called when undici has let go of an exchange (its slot is free again). */
  readonly onRelease: (ex: Exchange) => void;
  /** Called whenever the last unsettled exchange settles. */
  readonly onIdle: () => void;
}

export class Tracker {
  readonly clock: Clock;
  readonly timeoutError: RequestTimeoutError;
  /** Exchanges undici still holds (the concurrency that `maxInFlight` caps). */
  inFlight = 0;
  /** Exchanges whose outcome is not yet recorded. */
  unsettled = 0;
  /** After an abort nothing more is recorded: cancelled requests are not the target's failures. */
  aborted = false;
  private _head: Exchange | null = null;
  private _tail: Exchange | null = null;

  constructor(private readonly _o: TrackerOptions) {
    this.clock = _o.clock;
    this.timeoutError = new RequestTimeoutError(_o.timeoutMs);
  }

  add(ex: Exchange): void {
    ex.prev = this._tail;
    if (this._tail) this._tail.next = ex;
    else this._head = ex;
    this._tail = ex;
    this.inFlight++;
    this.unsettled++;
  }

  release(ex: Exchange, err: Error | null): void {
    this.inFlight--;
    if (!ex.settled) this._settle(ex, err, this.clock.now());
    this._o.onRelease(ex);
  }

  /** Settle every exchange past its deadline, then abort it on its connection if it has one. */
  sweep(): void {
    const now = this.clock.now();
    const deadline = now - this._o.timeoutMs;
    while (this._head !== null && this._head.dispatchedAt <= deadline) {
      const ex = this._head;
      this._settle(ex, this.timeoutError, now);
      ex.controller?.abort(this.timeoutError);
    }
  }

  private _settle(ex: Exchange, err: Error | null, now: number): void {
    ex.settled = true;
    if (ex.prev) ex.prev.next = ex.next;
    else this._head = ex.next;
    if (ex.next) ex.next.prev = ex.prev;
    else this._tail = ex.prev;
    ex.prev = ex.next = null;
    this.unsettled--;
    if (!this.aborted) {
      this._o.metrics.intended(ex.intendedAt);
      const status = ex.status > 0 ? ex.status : undefined;
      if (err !== null) {
        this._o.metrics.record({
          intendedAt: ex.intendedAt,
          sentAt: ex.sentAt,
          dispatchedAt: ex.dispatchedAt,
          doneAt: now,
          status,
          ok: false,
          error: classifyError(err),
          request: ex.template.name,
        });
      } else {
        const ok = ex.status < ex.template.expect.length && ex.template.expect[ex.status] === 1;
        this._o.metrics.record({
          intendedAt: ex.intendedAt,
          sentAt: ex.sentAt,
          dispatchedAt: ex.dispatchedAt,
          doneAt: now,
          status,
          ok,
          error: ok ? undefined : classifyStatus(ex.status),
          request: ex.template.name,
        });
      }
      recordMs(this._o.lag, ex.sentAt - ex.intendedAt);
    }
    if (this.unsettled === 0) this._o.onIdle();
  }
}
