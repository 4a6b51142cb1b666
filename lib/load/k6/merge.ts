/**
 * Several k6 outputs into one run's metrics: distributed k6 (k6-operator runs one k6 per runner
 * pod, each with its share of the arrival rate) writes one JSON stream per runner. Each stream
 * keeps its own parser, because a request's points are consecutive only within its own runner's
 * output, while all parsers feed the same sink: the per-second series and histograms are those of
 * the whole distributed run, merged bucket by bucket as the recorder merges everything it is given.
 *
 * Streams read from pod logs carry k6's other output too (text log lines, the summary); the parser
 * counts those as malformed lines and skips them.
 */
import type { MetricsSink } from '../../metrics/types.ts';
import { K6OutputParser, type K6ParseStats, type K6ParserOptions } from './output.ts';

export class K6OutputMerger {
  private readonly _parsers = new Map<string, K6OutputParser>();

  constructor(
    private readonly _sink: MetricsSink,
    private readonly _o: K6ParserOptions,
  ) {}

  /** Feed text of the stream `source` (e.g. a runner pod's name) as it arrives. */
  push(source: string, chunk: string): void {
    let p = this._parsers.get(source);
    if (p === undefined) {
      p = new K6OutputParser(this._sink, this._o);
      this._parsers.set(source, p);
    }
    p.push(chunk);
  }

  /** The stream `source` is complete (its runner finished). */
  end(source: string): void {
    this._parsers.get(source)?.end();
  }

  /** Every stream is complete. */
  endAll(): void {
    for (const p of this._parsers.values()) p.end();
  }

  sources(): string[] {
    return [...this._parsers.keys()];
  }

  /** Parse statistics summed over every stream. */
  stats(): K6ParseStats {
    const total: K6ParseStats = { lines: 0, points: 0, requests: 0, dropped: 0, malformed: 0, afterStop: 0 };
    for (const p of this._parsers.values()) {
      for (const k of Object.keys(total) as (keyof K6ParseStats)[]) total[k] += p.stats[k];
    }
    return total;
  }
}
