import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

export interface ServeOptions {
  /** The published repository folder. */
  readonly dir: string;
  readonly host?: string;
  /** 0 picks a free port. Default 8088, the local stack's TUF port. */
  readonly port?: number;
}

export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/**
 * Serves the repository folder as static files, for development and the local stack. In
 * production the folder is uploaded to any web server or bucket; nothing here is needed.
 * Files are read per request, so a `refresh` shows at once; nothing outside the folder is
 * reachable, and there are no directory listings.
 */
export async function serveRepository(options: ServeOptions): Promise<RunningServer> {
  const root = path.resolve(options.dir);
  const server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      let relative: string;
      try {
        relative = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '');
      } catch {
        res.writeHead(400).end();
        return;
      }
      const file = path.resolve(root, relative);
      if (relative === '' || !file.startsWith(`${root}${path.sep}`) || relative.split('/').some((p) => p.startsWith('.'))) {
        res.writeHead(404).end();
        return;
      }
      try {
        if (!(await stat(file)).isFile()) throw new Error('not a file');
        const body = await readFile(file);
        res.writeHead(200, {
          'content-type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream',
          'content-length': body.length,
          // Only these two change in place; everything else is versioned or hash-named.
          'cache-control': relative === 'timestamp.json' || relative === 'root.json' ? 'no-cache' : 'public, max-age=300',
        });
        res.end(req.method === 'HEAD' ? undefined : body);
      } catch {
        res.writeHead(404).end();
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8088, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
