import { TrustError } from './error.js';

// protobuf Timestamp in JSON: RFC 3339, "Z" or a numeric offset, 0-9 fractional digits,
// years 0001-9999. Dates hold milliseconds, so finer digits are rounded by the caller's
// choice (see validity.ts: windows shrink, never grow).
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;
const MIN_SECONDS = -62135596800; // 0001-01-01T00:00:00Z
const MAX_SECONDS = 253402300799; // 9999-12-31T23:59:59Z

/** Exact instant: seconds since the epoch and nanoseconds within that second. */
export interface Instant {
  seconds: number;
  nanos: number;
}

export function parseTimestamp(text: string, path: string): Instant {
  const m = RFC3339.exec(text);
  const invalid = (): TrustError => new TrustError('INVALID_FIELD', `invalid RFC 3339 timestamp ${JSON.stringify(text)}`, { field: path });
  if (m === null) throw invalid();
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) throw invalid();
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) throw invalid(); // e.g. Feb 30
  let seconds = date.getTime() / 1000 + hour * 3600 + minute * 60 + second;
  if (m[8] === undefined) {
    const offsetHours = Number(m[10]);
    const offsetMinutes = Number(m[11]);
    if (offsetHours > 23 || offsetMinutes > 59) throw invalid();
    const offset = (offsetHours * 60 + offsetMinutes) * 60;
    seconds += m[9] === '+' ? -offset : offset;
  }
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) throw invalid();
  const nanos = m[7] === undefined ? 0 : Number(m[7].padEnd(9, '0'));
  return { seconds, nanos };
}

export function compareInstants(a: Instant, b: Instant): number {
  return a.seconds !== b.seconds ? a.seconds - b.seconds : a.nanos - b.nanos;
}

export function instantToDate(instant: Instant, rounding: 'floor' | 'ceil'): Date {
  const subMillis = instant.nanos % 1_000_000;
  const millis = Math.floor(instant.nanos / 1_000_000) + (rounding === 'ceil' && subMillis !== 0 ? 1 : 0);
  // Rounding 9999-12-31T23:59:59.999999999Z up would leave the years a Timestamp can hold.
  return new Date(Math.min(instant.seconds * 1000 + millis, MAX_SECONDS * 1000 + 999));
}

/** The protobuf JSON form: no fraction when whole seconds, else milliseconds. */
export function formatTimestamp(date: Date, path: string): string {
  const time = date instanceof Date ? date.getTime() : Number.NaN;
  if (!Number.isFinite(time) || time < MIN_SECONDS * 1000 || time > MAX_SECONDS * 1000 + 999) {
    throw new TrustError('INVALID_FIELD', 'not a valid date in years 0001-9999', { field: path });
  }
  const iso = date.toISOString();
  return time % 1000 === 0 ? iso.replace('.000Z', 'Z') : iso;
}
