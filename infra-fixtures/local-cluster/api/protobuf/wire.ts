/** Protocol-buffer wire reading: varints, length-delimited slices and field tags. */

export class WireError extends Error {}

export class Reader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new WireError('truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
    throw new WireError('varint longer than 10 bytes');
  }

  bytes(): Uint8Array {
    const len = Number(this.varint());
    if (len < 0 || this.pos + len > this.buf.length)
      throw new WireError('length-delimited field runs past the end');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  fixed(n: 4 | 8): Uint8Array {
    if (this.pos + n > this.buf.length) throw new WireError('truncated fixed-width field');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  tag(): { field: number; wire: number } {
    const t = Number(this.varint());
    return { field: t >>> 3, wire: t & 7 };
  }
}

/** Signed 64-bit view of a varint, as Go encodes negative int32/int64 values. */
export function toSigned(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}
