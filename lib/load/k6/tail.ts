/**
 * Follow a file another process is appending to (k6 flushes its JSON output every 200 ms): read
 * whatever is new every `pollMs`, from where the last read stopped, and hand it over as text. The
 * file may not exist yet when following starts. Multi-byte characters split across reads are
 * kept whole by a StringDecoder.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

const kChunk = 256 * 1024;

export class FileTail {
  private _fh: FileHandle | null = null;
  private _offset = 0;
  private _timer: NodeJS.Timeout | null = null;
  /** The read in progress, so a drain never overlaps a poll. */
  private _reading: Promise<void> = Promise.resolve();
  private readonly _decoder = new StringDecoder('utf8');
  private readonly _buf = Buffer.allocUnsafe(kChunk);
  private _stopped = false;
  /** The first read error, if any (following stops at it). */
  error: Error | null = null;

  constructor(
    private readonly _path: string,
    private readonly _onText: (text: string) => void,
    private readonly _pollMs = 100,
  ) {}

  start(): void {
    const tick = () => {
      this._timer = null;
      this._reading = this._reading.then(() => this._readSafely());
      void this._reading.finally(() => {
        if (!this._stopped && this.error === null) this._timer = setTimeout(tick, this._pollMs);
      });
    };
    this._timer = setTimeout(tick, this._pollMs);
  }

  /** Stop polling, read everything written so far, and close the file. */
  async finish(): Promise<void> {
    this._stopped = true;
    if (this._timer) clearTimeout(this._timer);
    this._timer = null;
    this._reading = this._reading.then(() => this._readSafely());
    await this._reading;
    const rest = this._decoder.end();
    if (rest) this._onText(rest);
    await this._fh?.close().catch(() => undefined);
    this._fh = null;
  }

  private async _readSafely(): Promise<void> {
    if (this.error !== null) return;
    try {
      await this._readNew();
    } catch (e) {
      this.error = e instanceof Error ? e : new Error(String(e));
    }
  }

  private async _readNew(): Promise<void> {
    if (this._fh === null) {
      try {
        this._fh = await open(this._path, 'r');
      } catch {
        return; // not created yet
      }
    }
    for (;;) {
      const { bytesRead } = await this._fh.read(this._buf, 0, kChunk, this._offset);
      if (bytesRead === 0) return;
      this._offset += bytesRead;
      const text = this._decoder.write(this._buf.subarray(0, bytesRead));
      if (text) this._onText(text);
    }
  }
}
