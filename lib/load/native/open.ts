/**
 * The open-model loop: requests are due at fixed intended times whatever the target does. Each
 * tick issues every request that is due (in batches, yielding to I/O between them when behind),
 * then sleeps with one timer until the next is due. A request that is too late or finds the
 * concurrency cap reached is reported as dropped, never skipped in silence.
 */
import type { Dispatcher } from 'undici';
import type { LoadContext } from '../engine.ts';
import type { WeightedMix } from '../mix.ts';
import type { ArrivalSchedule } from '../schedule.ts';
import { Exchange, type Tracker } from './exchange.ts';
import type { RequestTemplate } from './target.ts';

/** Requests issued per tick before yielding to I/O, so responses are read while catching up. */
const kBatch = 200;

export interface OpenLoopDeps {
  readonly ctx: LoadContext;
  readonly dispatcher: Dispatcher;
  readonly tracker: Tracker;
  readonly templates: readonly RequestTemplate[];
  readonly mix: WeightedMix;
  readonly schedule: ArrivalSchedule;
  readonly maxInFlight: number;
  readonly maxScheduleLagMs: number;
  /** Called once every scheduled request has been issued or dropped. */
  readonly onScheduleDone: () => void;
}

export class OpenLoop {
  private _i = 0;
  private _startMs = 0;
  private _nextAt = 0;
  private _timer: NodeJS.Timeout | null = null;
  private _immediate: NodeJS.Immediate | null = null;
  private _stopped = false;
  /** True once every scheduled request has been issued or dropped. */
  done = false;
  // Bound once: the loop reschedules itself with this, not with a new closure per tick.
  private readonly _tick = () => this.tick();

  constructor(private readonly _d: OpenLoopDeps) {}

  start(): void {
    this._startMs = this._d.ctx.clock.now();
    if (this._d.schedule.total === 0) {
      this.done = true;
      this._d.onScheduleDone();
      return;
    }
    this._nextAt = this._startMs + this._d.schedule.timeOf(0);
    this.tick();
  }

  stop(): void {
    this._stopped = true;
    if (this._timer) clearTimeout(this._timer);
    if (this._immediate) clearImmediate(this._immediate);
    this._timer = this._immediate = null;
  }

  tick(): void {
    this._timer = this._immediate = null;
    if (this._stopped) return;
    const d = this._d;
    const { clock, metrics } = d.ctx;
    const total = d.schedule.total;
    const now = clock.now();
    let issued = 0;
    while (this._i < total && this._nextAt <= now) {
      if (issued === kBatch) {
        this._immediate = setImmediate(this._tick);
        return;
      }
      const at = this._nextAt;
      if (now - at > d.maxScheduleLagMs || d.tracker.inFlight >= d.maxInFlight) {
        metrics.intended(at);
        metrics.dropped(at);
      } else this._send(at, now);
      issued++;
      if (++this._i < total) this._nextAt = this._startMs + d.schedule.timeOf(this._i);
      if (this._stopped) return;
    }
    if (this._i >= total) {
      this.done = true;
      d.onScheduleDone();
      return;
    }
    // libuv timers have 1 ms resolution: flooring wakes us at or just before the due time, and an
    // early wake just re-arms; waking late would add the rounding to every request's lag.
    const delay = this._nextAt - clock.now();
    this._timer = setTimeout(this._tick, delay >= 2 ? Math.floor(delay) : 1);
  }

  private _send(at: number, now: number): void {
    const d = this._d;
    const ex = new Exchange(d.tracker, d.templates[d.mix.next()]!, at, now, -1);
    d.tracker.add(ex);
    d.dispatcher.dispatch(ex.template.dispatch, ex);
  }
}
