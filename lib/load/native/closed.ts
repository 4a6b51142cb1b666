/**
 * The closed-model loop: N users, each sending its next request as soon as the previous one is
 * done, for the duration. Throughput follows the target's speed, so nothing is ever dropped and
 * a request's intended time is simply when it was issued.
 */
import type { Dispatcher } from 'undici';
import type { LoadContext } from '../engine.ts';
import type { WeightedMix } from '../mix.ts';
import { Exchange, type Tracker } from './exchange.ts';
import type { RequestTemplate } from './target.ts';

export interface ClosedLoopDeps {
  readonly ctx: LoadContext;
  readonly dispatcher: Dispatcher;
  readonly tracker: Tracker;
  readonly templates: readonly RequestTemplate[];
  readonly mix: WeightedMix;
  readonly users: number;
  readonly durationMs: number;
  readonly onScheduleDone: () => void;
}

export class ClosedLoop {
  done = false;
  private _endAt = 0;
  private _timer: NodeJS.Timeout | null = null;
  private _stopped = false;
  /** Set while dispatching: a synchronous failure must not recurse into the next send. */
  private _issuing = false;
  private readonly _sendUser = (user: number) => this._send(user);
  private readonly _end = () => this._finish();

  constructor(private readonly _d: ClosedLoopDeps) {}

  start(): void {
    this._endAt = this._d.ctx.clock.now() + this._d.durationMs;
    this._timer = setTimeout(this._end, this._d.durationMs);
    for (let u = 0; u < this._d.users && !this._stopped && !this.done; u++) this._send(u);
  }

  stop(): void {
    this._stopped = true;
    if (this._timer) clearTimeout(this._timer);
    this._timer = null;
  }

  /** The tracker hands every released exchange here: its user sends again. */
  onRelease(ex: Exchange): void {
    if (ex.user < 0 || this._stopped || this.done) return;
    if (this._d.ctx.clock.now() >= this._endAt) return this._finish();
    if (this._issuing) setImmediate(this._sendUser, ex.user);
    else this._send(ex.user);
  }

  private _send(user: number): void {
    if (this._stopped || this.done) return;
    const d = this._d;
    const now = d.ctx.clock.now();
    if (now >= this._endAt) return this._finish();
    const ex = new Exchange(d.tracker, d.templates[d.mix.next()]!, now, now, user);
    d.tracker.add(ex);
    this._issuing = true;
    try {
      d.dispatcher.dispatch(ex.template.dispatch, ex);
    } finally {
      this._issuing = false;
    }
  }

  private _finish(): void {
    if (this.done) return;
    this.done = true;
    if (this._timer) clearTimeout(this._timer);
    this._timer = null;
    this._d.onScheduleDone();
  }
}
