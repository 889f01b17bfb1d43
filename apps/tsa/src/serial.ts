import { randomBytes } from 'node:crypto';

/** Makes TSTInfo serial numbers: positive INTEGER content bytes, unique per token. */
export type SerialSource = () => ArrayBuffer;

const PREFIX_BYTES = 12;
const COUNTER_BYTES = 8;

/**
 * Serials are 20 bytes (159 bits, within the 160 bits RFC 3161 clients must accept):
 * a random 96-bit prefix drawn once per process, then a 64-bit counter. Within a
 * process the counter makes every serial distinct, whatever the clock does; between
 * processes (replicas, restarts) the prefixes differ except with probability about
 * 2^-96 per pair. The first byte is 0x01..0x7f, so the INTEGER is positive and minimal.
 */
export function counterSerials(random: (size: number) => Uint8Array = (n) => randomBytes(n)): SerialSource {
  const prefix = Uint8Array.from(random(PREFIX_BYTES));
  prefix[0] = ((prefix[0] ?? 0) % 0x7f) + 1;
  let counter = 0n;
  return () => {
    const out = new Uint8Array(PREFIX_BYTES + COUNTER_BYTES);
    out.set(prefix);
    new DataView(out.buffer).setBigUint64(PREFIX_BYTES, counter);
    counter += 1n;
    return out.buffer;
  };
}
