import { randomBytes } from 'node:crypto';

/**
 * Library-built encodings with slots: the per-request fast path of the TSA.
 *
 * A token (or a query) of a given shape (which policy, hash, nonce length, certReq,
 * signature length...) is the same DER every time except for the contents of a few
 * primitive values whose lengths the shape fixes: the hashed message, the serial, the
 * nonce, the times, the message digest, the signature. So a template is one encoding of
 * the shape, made by asn1-schema, and the positions of those contents in it; a request
 * copies the template and writes its own contents, of the same lengths, into the
 * positions. Every tag, length, order and constant byte stays the library's.
 *
 * The positions are found without reading the encoding: the shape is encoded twice,
 * with every byte slot holding random bytes the first time and their complement the
 * second, and every time slot one second apart. The slot's contents must appear at
 * exactly one position where both encodings hold them, and nothing may differ outside
 * the slots; else there is no template and the caller encodes with the library.
 */

/** A slot holding bytes of a fixed length (an OCTET STRING's or INTEGER's contents), or a time value. */
export type SlotSpec =
  | { readonly kind: 'bytes'; readonly length: number }
  /** `encode` is the library's encoding of the whole time value (tag, length, contents). */
  | { readonly kind: 'time'; readonly encode: (date: Date) => Uint8Array };

export interface Slot {
  readonly offset: number;
  readonly length: number;
}

export type SlotValues<K extends string> = Readonly<Record<K, Uint8Array | Date>>;

/** Positions are those of `bytes`; `fill` writes slot contents into a copy. */
export class Template<K extends string> {
  readonly bytes: Uint8Array;
  readonly slots: Readonly<Record<K, Slot>>;
  /** [start, end) ranges outside every slot, for matching. */
  readonly #fixed: readonly (readonly [number, number])[];
  readonly #order: readonly K[];

  constructor(bytes: Uint8Array, slots: Readonly<Record<K, Slot>>) {
    this.bytes = bytes;
    this.slots = slots;
    const order = (Object.keys(slots) as K[]).sort((a, b) => slots[a].offset - slots[b].offset);
    const fixed: [number, number][] = [];
    let at = 0;
    for (const name of order) {
      const { offset, length } = slots[name];
      if (offset < at) throw new RangeError('template slots overlap');
      if (offset > at) fixed.push([at, offset]);
      at = offset + length;
    }
    if (at > bytes.length) throw new RangeError('a template slot ends past the encoding');
    if (at < bytes.length) fixed.push([at, bytes.length]);
    this.#fixed = fixed;
    this.#order = order;
  }

  /**
   * The encoding with `values` in the slots, as a new array. Each value must be exactly
   * as long as its slot (times: the library's encoding of the time, as `SlotSpec.encode`
   * makes it); a caller whose value has another length needs another template.
   */
  fill(values: Readonly<Record<K, Uint8Array>>): Uint8Array {
    const out = new Uint8Array(this.bytes.length);
    out.set(this.bytes);
    for (const name of this.#order) {
      const value = values[name] as Uint8Array | undefined;
      const slot = this.slots[name];
      if (value === undefined) throw new RangeError(`template slot ${name} has no value`);
      if (value.length !== slot.length) throw new RangeError(`template slot ${name} holds ${slot.length} bytes, not ${value.length}`);
      out.set(value, slot.offset);
    }
    return out;
  }

  /** Whether `bytes` is this encoding with some contents in the slots: same length, same bytes elsewhere. */
  matches(bytes: Uint8Array): boolean {
    const template = this.bytes;
    if (bytes.length !== template.length) return false;
    for (const [start, end] of this.#fixed) {
      for (let i = start; i < end; i++) if (bytes[i] !== template[i]) return false;
    }
    return true;
  }

  /** A copy of a slot's contents in `bytes` (an encoding this template matches). */
  read(bytes: Uint8Array, name: K): Uint8Array {
    const { offset, length } = this.slots[name];
    // A plain copy even of a Buffer, whose slice() would share the body's memory.
    return new Uint8Array(bytes.subarray(offset, offset + length));
  }
}

function holdsAt(haystack: Uint8Array, offset: number, needle: Uint8Array): boolean {
  if (offset + needle.length > haystack.length) return false;
  for (let j = 0; j < needle.length; j++) if (haystack[offset + j] !== needle[j]) return false;
  return true;
}

function complement(bytes: Uint8Array): Uint8Array {
  return bytes.map((b) => b ^ 0xff);
}

/** One attempt: undefined when the random contents happened to be ambiguous. */
function attempt<K extends string>(
  specs: Readonly<Record<K, SlotSpec>>,
  encode: (values: SlotValues<K>) => Uint8Array,
  when: Date,
): Template<K> | undefined {
  const names = Object.keys(specs) as K[];
  const first = {} as Record<K, Uint8Array | Date>;
  const second = {} as Record<K, Uint8Array | Date>;
  const shown = {} as Record<K, [Uint8Array, Uint8Array]>;
  // The second time is a second later, or earlier where later changes the encoding's length
  // (2049-12-31T23:59:59Z: a UTCTime signing-time becomes a GeneralizedTime).
  const times: ((date: Date) => Uint8Array)[] = [];
  for (const name of names) {
    const spec = specs[name];
    if (spec.kind === 'time') times.push(spec.encode);
  }
  const sameLengths = (other: Date) => times.every((encodeTime) => encodeTime(other).length === encodeTime(when).length);
  const next = new Date(when.getTime() + 1000);
  const later = sameLengths(next) ? next : new Date(when.getTime() - 1000);
  for (const name of names) {
    const spec = specs[name];
    if (spec.kind === 'bytes') {
      const a = new Uint8Array(randomBytes(spec.length));
      const b = complement(a);
      first[name] = a;
      second[name] = b;
      shown[name] = [a, b];
    } else {
      first[name] = when;
      second[name] = later;
      shown[name] = [spec.encode(when), spec.encode(later)];
    }
  }
  const one = encode(first);
  const two = encode(second);
  if (one.length !== two.length) return undefined;

  const slots = {} as Record<K, Slot>;
  const covered = new Uint8Array(one.length);
  for (const name of names) {
    const [a, b] = shown[name];
    if (a.length === 0 || a.length !== b.length) return undefined;
    const at: number[] = [];
    for (let i = 0; i + a.length <= one.length; i++) if (holdsAt(one, i, a) && holdsAt(two, i, b)) at.push(i);
    if (at.length !== 1) return undefined;
    const offset = at[0] as number;
    slots[name] = { offset, length: a.length };
    covered.fill(1, offset, offset + a.length);
  }
  // Nothing outside the slots may depend on their contents.
  for (let i = 0; i < one.length; i++) if (one[i] !== two[i] && covered[i] === 0) return undefined;

  let template: Template<K>;
  try {
    template = new Template(one, slots);
  } catch {
    return undefined;
  }
  // The template filled with the second contents must be the second encoding.
  const refill = {} as Record<K, Uint8Array>;
  for (const name of names) refill[name] = shown[name][1];
  const check = template.fill(refill);
  for (let i = 0; i < two.length; i++) if (check[i] !== two[i]) return undefined;
  return template;
}

/**
 * Encodes a shape with the library and finds its slots, or answers undefined (the
 * caller then encodes each request with the library). `encode` must build the whole
 * structure from `values`: bytes for byte slots, a Date for time slots. `when` is a
 * time whose encoding is as long as the times that will fill the template.
 */
export function buildTemplate<K extends string>(
  specs: Readonly<Record<K, SlotSpec>>,
  encode: (values: SlotValues<K>) => Uint8Array,
  when: Date,
): Template<K> | undefined {
  // Random contents are ambiguous only when two slots of one or two bytes draw the same
  // bytes or one of them also appears next to itself; a few draws settle it.
  for (let i = 0; i < 8; i++) {
    const template = attempt(specs, encode, when);
    if (template) return template;
  }
  return undefined;
}

/** A map that forgets its oldest entry past `limit` entries, so hostile shapes cannot grow it. */
export class BoundedCache<V> {
  readonly #limit: number;
  readonly #map = new Map<string, V>();

  constructor(limit: number) {
    this.#limit = limit;
  }

  get(key: string): V | undefined {
    return this.#map.get(key);
  }

  set(key: string, value: V): void {
    if (this.#map.size >= this.#limit && !this.#map.has(key)) {
      const oldest = this.#map.keys().next();
      if (!oldest.done) this.#map.delete(oldest.value);
    }
    this.#map.set(key, value);
  }

  values(): IterableIterator<V> {
    return this.#map.values();
  }

  get size(): number {
    return this.#map.size;
  }
}
