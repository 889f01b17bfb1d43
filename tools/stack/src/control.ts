// How a second launcher process (`rotate-key`) asks a running stack to do something only it
// can do safely (stop and restart one of its services): a Unix socket in the state folder,
// whose 0700 permissions keep other users out, named in stack.json as `control`. One request
// per connection, newline-delimited JSON:
//
//   -> {"command": "rotate-key", "service": "rekor"}
//   <- {"progress": "..."}            any number of lines
//   <- {"result": {...}}  or  {"error": {"code": "...", "message": "..."}}
import { existsSync } from 'node:fs';
import { chmod, readFile, unlink } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StackError } from './errors.js';
import type { StackErrorCode } from './errors.js';

export interface ControlRequest {
  readonly command: 'rotate-key';
  readonly service: 'rekor';
}

export type ControlHandler = (request: ControlRequest, progress: (line: string) => void) => Promise<unknown>;

/** Longest socket path every platform takes (Linux allows 107 bytes, macOS 103). */
const MAX_SOCKET_PATH = 100;

/** Where a stack's control socket lives: in the state folder, or in the temp folder if that path is too long. */
export function controlPath(stateDir: string, stateId: string): string {
  if (process.platform === 'win32') return `\\\\.\\pipe\\sigstack-${stateId}`;
  const inState = path.join(stateDir, 'control.sock');
  return Buffer.byteLength(inState) <= MAX_SOCKET_PATH ? inState : path.join(tmpdir(), `sigstack-${stateId}.sock`);
}

function parseRequest(line: string): ControlRequest {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new StackError('USAGE', 'the control request is not JSON');
  }
  const { command, service, ...rest } = (value ?? {}) as Record<string, unknown>;
  if (command !== 'rotate-key' || service !== 'rekor' || Object.keys(rest).length > 0) {
    throw new StackError('USAGE', `unknown control request ${JSON.stringify(line.slice(0, 120))}`);
  }
  return { command, service };
}

export interface ControlServer {
  readonly path: string;
  close(): Promise<void>;
}

/** Listens on `socketPath`; requests run one at a time, in order. */
export async function listenControl(socketPath: string, handle: ControlHandler): Promise<ControlServer> {
  // A socket file left by a launcher that was killed: nothing listens on it (the caller
  // checked that no stack runs from this state folder).
  if (process.platform !== 'win32' && existsSync(socketPath)) await unlink(socketPath);
  let queue = Promise.resolve();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const newline = buffered.indexOf('\n');
      if (newline < 0) {
        if (buffered.length > 4096) socket.destroy();
        return;
      }
      socket.removeAllListeners('data');
      const send = (value: unknown) => {
        if (!socket.destroyed) socket.write(`${JSON.stringify(value)}\n`);
      };
      const line = buffered.slice(0, newline);
      queue = queue.then(async () => {
        try {
          const result = await handle(parseRequest(line), (progress) => send({ progress }));
          send({ result });
        } catch (error) {
          const code = error instanceof StackError ? error.code : 'INTERNAL';
          send({ error: { code, message: (error as Error).message } });
        }
        socket.end();
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  if (process.platform !== 'win32') await chmod(socketPath, 0o600);
  return {
    path: socketPath,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      if (process.platform !== 'win32') await unlink(socketPath).catch(() => undefined);
    },
  };
}

/** Sends one request to a running stack; progress lines go to `onProgress`; resolves with the result. */
export function requestControl(socketPath: string, request: ControlRequest, onProgress: (line: string) => void, timeoutMs = 300_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    let buffered = '';
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      fn();
    };
    const timer = setTimeout(() => finish(() => reject(new StackError('SERVICE_FAILED', `the running stack did not answer within ${Math.round(timeoutMs / 1000)} s`))), timeoutMs);
    socket.once('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      finish(() =>
        reject(
          error.code === 'ENOENT' || error.code === 'ECONNREFUSED'
            ? new StackError('NOT_RUNNING', `no stack answers at ${socketPath}; is it still running?`)
            : new StackError('SERVICE_FAILED', `talking to the running stack failed (${error.code ?? error.message})`),
        ),
      );
    });
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        let message: { progress?: string; result?: unknown; error?: { code: StackErrorCode; message: string } };
        try {
          message = JSON.parse(line) as typeof message;
        } catch {
          finish(() => reject(new StackError('SERVICE_FAILED', 'the running stack answered something that is not JSON')));
          return;
        }
        if (typeof message.progress === 'string') onProgress(message.progress);
        else if (message.error !== undefined) {
          const { code, message: text } = message.error;
          finish(() => reject(new StackError(code, text)));
          return;
        } else if ('result' in message) {
          const result = message.result;
          finish(() => resolve(result));
          return;
        }
      }
    });
    socket.once('close', () => finish(() => reject(new StackError('SERVICE_FAILED', 'the running stack closed the connection without an answer'))));
  });
}

/** The launcher running from a state folder (from stack.json, if its process is alive). */
export async function runningLauncher(stackJsonFile: string): Promise<{ pid: number; control: string | undefined } | undefined> {
  let value: { pid?: unknown; control?: unknown };
  try {
    value = JSON.parse(await readFile(stackJsonFile, 'utf8')) as typeof value;
  } catch {
    return undefined;
  }
  if (typeof value.pid !== 'number' || value.pid === process.pid) return undefined;
  try {
    process.kill(value.pid, 0);
  } catch {
    return undefined;
  }
  return { pid: value.pid, control: typeof value.control === 'string' ? value.control : undefined };
}
