import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BaseFetcher } from 'tuf-js';
// tuf-js stops walking the root chain only on this error class (status 403/404); its
// package index does not re-export it, so it is taken from its module.
import { DownloadHTTPError } from 'tuf-js/dist/error.js';

/** How a folder lays its files out. */
export type FolderLayout =
  /** What clients fetch, as served (our repository, tuf-repo-cdn.sigstore.dev, a `serve`d copy). */
  | 'published'
  /** sigstore/root-signing's git layout: metadata/root_history/N.root.json, metadata/<role>.json, targets/<name>. */
  | 'root-signing';

export function detectLayout(dir: string): FolderLayout {
  return existsSync(path.join(dir, 'metadata', 'root_history')) ? 'root-signing' : 'published';
}

const HASH_PREFIX = /^[0-9a-f]{64}\./;

/**
 * A tuf-js fetcher over a local folder, for air-gapped clients: it opens files under the
 * folder and nothing else (no network, no path outside it). A missing file is a 404, as
 * tuf-js expects at the end of the root chain.
 */
export class FolderFetcher extends BaseFetcher {
  readonly baseUrl: string;
  readonly layout: FolderLayout;
  private readonly dir: string;

  constructor(dir: string, layout: FolderLayout = detectLayout(dir)) {
    super();
    this.dir = path.resolve(dir);
    this.layout = layout;
    this.baseUrl = new URL(`file://${this.dir}/`).href.replace(/\/$/, '');
  }

  override async fetch(url: string): Promise<NodeJS.ReadableStream> {
    if (!url.startsWith(`${this.baseUrl}/`)) throw new DownloadHTTPError(`outside the mirror folder: ${url}`, 403);
    const relative = decodeURIComponent(url.slice(this.baseUrl.length + 1));
    const file = this.locate(relative);
    const full = path.resolve(this.dir, file);
    if (!full.startsWith(`${this.dir}${path.sep}`) || !existsSync(full) || !statSync(full).isFile()) {
      throw new DownloadHTTPError(`not found: ${relative}`, 404);
    }
    return createReadStream(full);
  }

  // tuf-js asks for published names; map them onto the folder's layout. The client still
  // checks every version, length and hash, so the mapping needs no trust.
  private locate(name: string): string {
    if (this.layout === 'published') return name;
    if (name.startsWith('targets/')) {
      const { dir, base } = path.posix.parse(name);
      return path.posix.join(dir, base.replace(HASH_PREFIX, ''));
    }
    const root = /^(\d+)\.root\.json$/.exec(name);
    if (root) return path.posix.join('metadata', 'root_history', `${root[1]}.root.json`);
    const versioned = /^\d+\.(.+\.json)$/.exec(name);
    return path.posix.join('metadata', versioned ? (versioned[1] as string) : name);
  }
}

/** A folder path or a file:// URL as a folder path; undefined for anything else. */
export function localFolder(repository: string): string | undefined {
  if (repository.startsWith('file:')) return fileURLToPath(repository);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repository)) return undefined;
  return path.resolve(repository);
}
