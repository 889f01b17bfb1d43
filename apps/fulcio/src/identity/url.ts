/**
 * Go's url.URL.JoinPath for the absolute base URLs Fulcio joins (https://github.com/
 * and the like): the elements are joined to the base path and cleaned as path.Join
 * does ('.', '..' and empty segments go), a trailing slash on the last element is kept,
 * and the result is escaped as Go's EscapedPath would.
 */
export function joinPath(base: string, ...elements: readonly string[]): string {
  const url = new URL(base);
  const joined = cleanPath([url.pathname, ...elements].join('/'));
  const last = elements.at(-1) ?? url.pathname;
  const path = last.endsWith('/') && !joined.endsWith('/') ? `${joined}/` : joined;
  return `${url.protocol}//${url.host}${escapePath(path)}`;
}

function cleanPath(path: string): string {
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return `/${out.join('/')}`;
}

// What Go leaves unescaped in a path (validEncoded with encodePath).
const PATH_SAFE = /^[A-Za-z0-9\-._~!$&'()*+,;=:@[\]/]$/;

function escapePath(path: string): string {
  if (/^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@[\]/]|%[0-9A-Fa-f]{2})*$/.test(path)) return path;
  let out = '';
  for (const byte of new TextEncoder().encode(path)) {
    const c = String.fromCharCode(byte);
    out += byte < 0x80 && PATH_SAFE.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
