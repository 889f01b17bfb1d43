import { TrustError } from './error.js';
import { ObjectReader, expectString } from './json-reader.js';
import { compareInstants, formatTimestamp, instantToDate, parseTimestamp } from './timestamp.js';
import type { ValidityWindow } from './types.js';

/**
 * A TimeRange. The start is required: a window without one is malformed, not unbounded
 * (conformance case trust-root-tlog-missing-validity-start_fail). Sub-millisecond digits
 * round inwards (start up, end down), so the window a Date can hold never grows.
 */
export function parseValidity(value: unknown, path: string): ValidityWindow {
  const r = new ObjectReader(value, path, ['start', 'end']);
  const start = parseTimestamp(expectString(r.required('start'), r.fieldPath('start')), r.fieldPath('start'));
  const endValue = r.optional('end');
  if (endValue === undefined) return { start: instantToDate(start, 'ceil') };
  const end = parseTimestamp(expectString(endValue, r.fieldPath('end')), r.fieldPath('end'));
  if (compareInstants(start, end) > 0) {
    throw new TrustError('INVALID_VALIDITY', 'validity start is after its end', { field: path });
  }
  return { start: instantToDate(start, 'ceil'), end: instantToDate(end, 'floor') };
}

export function validityToJSON(window: ValidityWindow, path: string): Record<string, string> {
  const json: Record<string, string> = { start: formatTimestamp(window.start, `${path}.start`) };
  if (window.end !== undefined) json['end'] = formatTimestamp(window.end, `${path}.end`);
  return json;
}

/** Whether `time` lies in the window; both ends are inclusive, as protobuf-specs says. */
export function isWithin(window: ValidityWindow, time: Date): boolean {
  const t = time.getTime();
  return window.start.getTime() <= t && (window.end === undefined || t <= window.end.getTime());
}

export function checkTime(time: Date, name = 'time'): Date {
  if (!(time instanceof Date) || Number.isNaN(time.getTime())) {
    throw new TrustError('INVALID_ARGUMENT', `${name} must be a valid Date`);
  }
  return time;
}
