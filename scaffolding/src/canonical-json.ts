import { ScaffoldingError } from './error.js';

/**
 * TUF's canonical JSON (the OLPC form securesystemslib and tuf-js sign over): object keys
 * sorted by code point, no whitespace, integers only, and strings escaping only `"` and
 * `\` (a PEM key's newlines stay raw bytes). JCS (RFC 8785) differs on exactly those
 * strings, so it cannot stand in here.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new ScaffoldingError('INVALID_METADATA', 'canonical JSON allows integers only');
    return String(value);
  }
  if (typeof value === 'string') return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${canonicalJson(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new ScaffoldingError('INVALID_METADATA', `canonical JSON cannot encode a ${typeof value}`);
}
