import { X509Error } from './errors.js';

/** Reads RFC 5246 presentation-language values; every read is bounds-checked. */
export class TlsReader {
  private offset = 0;

  constructor(private readonly buf: Uint8Array) {}

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  uint(bytes: 1 | 2 | 3 | 8): number {
    this.need(bytes);
    let n = 0;
    for (let i = 0; i < bytes; i++) n = n * 256 + (this.buf[this.offset + i] as number);
    if (!Number.isSafeInteger(n)) throw new X509Error('MALFORMED_SCT', 'integer is too large');
    this.offset += bytes;
    return n;
  }

  fixed(length: number): Uint8Array {
    this.need(length);
    const out = this.buf.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  /** opaque<min..2^(8*lengthBytes)-1>. */
  vector(lengthBytes: 1 | 2 | 3, min = 0): Uint8Array {
    const length = this.uint(lengthBytes);
    if (length < min) throw new X509Error('MALFORMED_SCT', 'vector is shorter than its minimum');
    return this.fixed(length);
  }

  end(): void {
    if (this.remaining !== 0) throw new X509Error('MALFORMED_SCT', 'trailing bytes');
  }

  private need(n: number): void {
    if (this.offset + n > this.buf.length) throw new X509Error('MALFORMED_SCT', 'truncated structure');
  }
}

/** Builds TLS-encoded structures. */
export class TlsWriter {
  private readonly parts: Uint8Array[] = [];

  uint(bytes: 1 | 2 | 3 | 8, value: number): this {
    if (!Number.isSafeInteger(value) || value < 0 || (bytes < 8 && value >= 2 ** (8 * bytes))) {
      throw new X509Error('INVALID_ARGUMENT', `value ${value} does not fit in ${bytes} bytes`);
    }
    const out = new Uint8Array(bytes);
    let n = value;
    for (let i = bytes - 1; i >= 0; i--) {
      out[i] = n % 256;
      n = Math.floor(n / 256);
    }
    this.parts.push(out);
    return this;
  }

  fixed(bytes: Uint8Array): this {
    this.parts.push(bytes);
    return this;
  }

  vector(lengthBytes: 1 | 2 | 3, bytes: Uint8Array): this {
    return this.uint(lengthBytes, bytes.length).fixed(bytes);
  }

  bytes(): Uint8Array {
    return new Uint8Array(Buffer.concat(this.parts));
  }
}
