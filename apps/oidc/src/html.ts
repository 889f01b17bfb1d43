// The few HTML pages a person sees: plain forms, so scripts can drive them too.

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}' +
  '.warn{background:#fff3cd;border:1px solid #e0c36c;padding:.5rem .75rem}' +
  'button{display:block;width:100%;margin:.4rem 0;padding:.6rem;font-size:1rem;cursor:pointer}' +
  'input[type=text],input[type=password]{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box;margin:.4rem 0}' +
  '.error{color:#b00020}';

/** A whole page; `body` must already be escaped. */
export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>
<p class="warn">sigstack development identity provider: not for production identities.</p>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>`;
}
