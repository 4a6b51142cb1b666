/**
 * A container instance's log: stdout and stderr lines with their arrival time, bounded by bytes
 * (oldest lines dropped first), as `kubectl logs` reads them. Lines longer than the CRI's 16 KiB
 * are split, so one runaway line cannot hold the buffer hostage.
 */
import type { Readable } from 'node:stream';

export interface LogLine {
  readonly time: number;
  readonly text: string;
}

export interface LogQuery {
  /** Only the last N lines. */
  readonly tailLines?: number;
  /** Prefix each line with its RFC 3339 arrival time. */
  readonly timestamps?: boolean;
  /** Only lines newer than this many seconds. */
  readonly sinceSeconds?: number;
  /** Stop once the output would exceed this many bytes. */
  readonly limitBytes?: number;
}

const maxLineBytes = 16 * 1024;

export class LogBuffer {
  private lines: LogLine[] = [];
  private head = 0;
  private bytes = 0;
  private readonly partial = new Map<Readable, string>();
  private readonly followers = new Map<(line: LogLine) => void, () => void>();
  private ended = false;

  constructor(private readonly maxBytes: number) {}

  /** Reads a stream into the buffer; a trailing line without newline is kept when the stream ends. */
  attach(stream: Readable | null): void {
    if (!stream) return;
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => this.write(stream, chunk));
    stream.on('end', () => {
      const rest = this.partial.get(stream);
      this.partial.delete(stream);
      if (rest) this.push(rest);
    });
    stream.on('error', () => undefined);
  }

  private write(stream: Readable, chunk: string): void {
    let text = (this.partial.get(stream) ?? '') + chunk;
    let nl: number;
    while ((nl = text.indexOf('\n')) !== -1) {
      this.push(text.slice(0, nl));
      text = text.slice(nl + 1);
    }
    while (text.length > maxLineBytes) {
      this.push(text.slice(0, maxLineBytes));
      text = text.slice(maxLineBytes);
    }
    this.partial.set(stream, text);
  }

  private push(text: string): void {
    const line = { time: Date.now(), text };
    this.lines.push(line);
    this.bytes += text.length + 1;
    while (this.bytes > this.maxBytes && this.head < this.lines.length - 1) {
      this.bytes -= (this.lines[this.head]?.text.length ?? 0) + 1;
      this.head++;
    }
    // Compact occasionally instead of shifting on every drop.
    if (this.head > 1024 && this.head * 2 > this.lines.length) {
      this.lines = this.lines.slice(this.head);
      this.head = 0;
    }
    for (const follow of this.followers.keys()) follow(line);
  }

  /** Buffered lines, oldest first, filtered by the query. */
  read(query: LogQuery = {}): string {
    let from = this.head;
    if (query.sinceSeconds !== undefined) {
      const since = Date.now() - query.sinceSeconds * 1000;
      while (from < this.lines.length && (this.lines[from]?.time ?? 0) < since) from++;
    }
    if (query.tailLines !== undefined) from = Math.max(from, this.lines.length - query.tailLines);
    let out = '';
    for (let i = from; i < this.lines.length; i++) {
      const next = formatLine(this.lines[i] as LogLine, query.timestamps === true);
      if (query.limitBytes !== undefined && out.length + next.length > query.limitBytes) {
        return out + next.slice(0, query.limitBytes - out.length);
      }
      out += next;
    }
    return out;
  }

  /** Calls `onLine` for each new line, and `onEnd` once the instance has exited; returns unsubscribe. */
  follow(onLine: (line: LogLine) => void, onEnd: () => void): () => void {
    if (this.ended) {
      onEnd();
      return () => undefined;
    }
    this.followers.set(onLine, onEnd);
    return () => this.followers.delete(onLine);
  }

  /** The instance exited: followers end, as `kubectl logs -f` does when its container stops. */
  end(): void {
    this.ended = true;
    const ends = [...this.followers.values()];
    this.followers.clear();
    for (const onEnd of ends) onEnd();
  }
}

export function formatLine(line: LogLine, timestamps: boolean): string {
  return timestamps ? `${new Date(line.time).toISOString()} ${line.text}\n` : `${line.text}\n`;
}
