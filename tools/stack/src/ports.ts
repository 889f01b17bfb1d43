// Ports are checked before anything starts, so a port in use is one clear line naming the
// port and the setting that moves it, not a service dying half-way through start-up.
import { createServer } from 'node:net';
import { StackError } from './errors.js';
import { PORTS } from './settings.js';
import type { Settings } from './settings.js';

/** Resolves to the error code of binding host:port (undefined: it is free). */
export function probePort(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'EUNKNOWN'));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

export async function checkPorts(settings: Pick<Settings, 'host' | 'ports'>): Promise<void> {
  for (const spec of PORTS) {
    const port = settings.ports[spec.service];
    const code = await probePort(settings.host, port);
    if (code === undefined) continue;
    const why = code === 'EADDRINUSE' ? 'is in use by another process' : code === 'EACCES' ? 'needs privileges to bind' : `cannot be bound (${code})`;
    throw new StackError(
      'PORT_IN_USE',
      `port ${port} (${spec.label}) on ${settings.host} ${why}; stop that process or choose another port with ${spec.env}=N (or --${spec.flag} N)`,
    );
  }
}
