// cosign 3's service specifications: comma-separated key=value lists, e.g.
// --rekor url=https://rekor.example,public-key=rekor.pub,start-time=2025-01-01T00:00:00Z
import { usage } from '../errors.js';

export function parseSpec(flag: string, text: string, requiredKeys: readonly string[], optionalKeys: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(',')) {
    const i = part.indexOf('=');
    if (i <= 0) throw usage(`--${flag}: expected key=value pairs separated by commas, got ${JSON.stringify(part)}`);
    const key = part.slice(0, i).trim();
    if (!requiredKeys.includes(key) && !optionalKeys.includes(key)) throw usage(`--${flag}: unknown key ${JSON.stringify(key)} (keys: ${[...requiredKeys, ...optionalKeys].join(', ')})`);
    if (out.has(key)) throw usage(`--${flag}: key ${key} given twice`);
    out.set(key, part.slice(i + 1).trim());
  }
  for (const key of requiredKeys) if (!out.get(key)) throw usage(`--${flag}: missing ${key}`);
  return out;
}

export function specTime(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const t = new Date(value);
  if (Number.isNaN(t.getTime())) throw usage(`--${flag}: ${JSON.stringify(value)} is not an RFC 3339 time`);
  return t.toISOString();
}
