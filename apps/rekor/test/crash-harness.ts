import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ecdsaNoteVerifier, hashLeaf, openCheckpoint, verifyConsistency } from '@sigstack/merkle';
import { ecdsaSigner, hashedrekord } from './helpers.js';

export const SERVER = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export interface Server {
  child: ChildProcess;
  url: string;
}

/** Starts the built server (dist/main.js) and resolves with its URL once it listens. */
export function startServer(env: Record<string, string>): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVER], {
      env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        resolve({ child, url: m[1] });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${err}`));
    });
  });
}

export interface Acknowledged {
  uuid: string;
  index: number;
}

export interface Published {
  size: number;
  rootHash: string;
  checkpoint: string;
}

/** `clients` loops adding entries until `stop()` says so; every 201 is recorded. */
export async function load(url: string, clients: number, stop: () => boolean): Promise<{ acked: Acknowledged[]; published: Published[]; errors: number }> {
  const signer = ecdsaSigner();
  const acked: Acknowledged[] = [];
  const published = new Map<number, Published>();
  let errors = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (!stop()) {
        try {
          const res = await fetch(`${url}/api/v1/log/entries`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(hashedrekord(signer, randomBytes(32))),
          });
          if (res.status !== 201) {
            errors++;
            continue;
          }
          const json = (await res.json()) as Record<string, { logIndex: number; verification: { inclusionProof: { treeSize: number; rootHash: string; checkpoint: string } } }>;
          const [id, entry] = Object.entries(json)[0]!;
          acked.push({ uuid: id.slice(16), index: entry.logIndex });
          const p = entry.verification.inclusionProof;
          published.set(p.treeSize, { size: p.treeSize, rootHash: p.rootHash, checkpoint: p.checkpoint });
        } catch {
          errors++; // the server was killed under us
          return;
        }
      }
    }),
  );
  return { acked, published: [...published.values()], errors };
}

/** Checks the restarted log: every acknowledged entry at its index, every published checkpoint consistent with now. */
export async function check(url: string, acked: readonly Acknowledged[], published: readonly Published[], hostname: string): Promise<{ size: number }> {
  const info = (await (await fetch(`${url}/api/v1/log`)).json()) as { treeSize: number; rootHash: string; treeID: string };
  const spki = Buffer.from(
    (await (await fetch(`${url}/api/v1/log/publicKey`)).text()).replace(/-----[^-]+-----/g, '').replace(/\s/g, ''),
    'base64',
  );
  const noteVerifier = ecdsaNoteVerifier(hostname, spki);
  // Sixteen readers at a time: every acknowledged entry is checked.
  const queue = [...acked];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let a = queue.pop(); a; a = queue.pop()) {
        const res = await fetch(`${url}/api/v1/log/entries?logIndex=${a.index}`);
        if (res.status !== 200) throw new Error(`acknowledged entry ${a.uuid} at ${a.index} is missing (${res.status})`);
        const json = (await res.json()) as Record<string, { body: string }>;
        const [id, entry] = Object.entries(json)[0] as [string, { body: string }];
        if (id.slice(16) !== a.uuid) throw new Error(`index ${a.index} holds ${id.slice(16)}, not the acknowledged ${a.uuid}`);
        if (Buffer.from(hashLeaf(Buffer.from(entry.body, 'base64'))).toString('hex') !== a.uuid) throw new Error(`entry ${a.uuid} body does not hash to its UUID`);
      }
    }),
  );
  for (const p of published) {
    openCheckpoint(p.checkpoint, [noteVerifier], `${hostname} - ${info.treeID}`);
    if (p.size > info.treeSize) throw new Error(`published size ${p.size} is beyond the restarted log's ${info.treeSize}`);
    const proof = (await (await fetch(`${url}/api/v1/log/proof?firstSize=${p.size}&lastSize=${info.treeSize}`)).json()) as { hashes: string[] };
    verifyConsistency(p.size, info.treeSize, proof.hashes.map((h) => Buffer.from(h, 'hex')), Buffer.from(p.rootHash, 'hex'), Buffer.from(info.rootHash, 'hex'));
  }
  return { size: info.treeSize };
}
