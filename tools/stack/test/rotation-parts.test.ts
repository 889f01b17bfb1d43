// The pieces of `rotate-key`: Rekor's key history in the state folder, the control socket a
// running stack answers on, and the command line.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportPrivateKey, exportPublicKey, generateKeyPair, importPrivateKey } from '@sigstack/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlPath, listenControl, requestControl, runningLauncher } from '../src/control.js';
import { StackError } from '../src/errors.js';
import { FIRST_KEY_FILES, currentKeyFile, readKeyRing, retiredKeysSetting, rotateKeyRing } from '../src/log-keys.js';
import { rotationSummary } from '../src/rotate.js';
import { USAGE, parseSettings } from '../src/settings.js';
import { openState } from '../src/state.js';
import type { OpenedState } from '../src/state.js';

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'sigstack-rotation-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function stateWithFirstKeys(name: string): Promise<OpenedState> {
  const state = await openState(path.join(work, name));
  for (const [log, type] of [['v1', 'ecdsa-p256'], ['v2', 'ed25519']] as const) {
    const { privateKey } = await generateKeyPair(type);
    writeFileSync(path.join(state.layout.rekor, FIRST_KEY_FILES[log]), exportPrivateKey(privateKey, 'pem'), { mode: 0o600 });
  }
  return state;
}

const pub = (file: string) => exportPublicKey(importPrivateKey(readFileSync(file, 'utf8')).publicKey, 'pem');

describe('Rekor\'s key history (log-keys.json)', () => {
  it('is the first keys alone before any rotation', async () => {
    const state = await stateWithFirstKeys('fresh');
    const ring = await readKeyRing(state);
    expect(ring).toEqual({ v1: [{ file: 'rekor-v1-key.pem' }], v2: [{ file: 'rekor-v2-key.pem' }] });
    expect(currentKeyFile(state, ring, 'v1')).toBe(path.join(state.layout.rekor, 'rekor-v1-key.pem'));
    expect(retiredKeysSetting(state, ring)).toBe('');
  });

  it('records each rotation: new key files, the old ones kept with the time they stopped', async () => {
    const state = await stateWithFirstKeys('rotated');
    const firstV1 = pub(path.join(state.layout.rekor, 'rekor-v1-key.pem'));
    const t1 = new Date('2026-01-01T10:00:00.250Z');
    const one = await rotateKeyRing(state, t1);
    expect(one.v1.previous).toBe(firstV1);
    expect(one.v1.current).toBe(pub(path.join(state.layout.rekor, 'rekor-v1-key.2.pem')));
    expect(readFileSync(path.join(state.layout.rekor, 'rekor-v1-key.2.pub'), 'utf8')).toBe(one.v1.current);
    expect(importPrivateKey(readFileSync(path.join(state.layout.rekor, 'rekor-v2-key.2.pem'), 'utf8')).type).toBe('ed25519');
    expect(statSync(path.join(state.layout.rekor, 'rekor-v1-key.2.pem')).mode & 0o777).toBe(0o600);
    // A key file an interrupted rotation left behind is not reused.
    writeFileSync(path.join(state.layout.rekor, 'rekor-v1-key.3.pem'), 'left over');
    const t2 = new Date('2026-02-01T10:00:00Z');
    const two = await rotateKeyRing(state, t2);
    const ring = await readKeyRing(state);
    expect(ring.v1).toEqual([
      { file: 'rekor-v1-key.pem', until: t1.toISOString() },
      { file: 'rekor-v1-key.2.pem', until: t2.toISOString() },
      { file: 'rekor-v1-key.4.pem' },
    ]);
    expect(ring.v2.map((k) => k.file)).toEqual(['rekor-v2-key.pem', 'rekor-v2-key.2.pem', 'rekor-v2-key.3.pem']);
    expect(two.v1.previous).toBe(one.v1.current);
    expect(retiredKeysSetting(state, ring)).toBe(`${path.join(state.layout.rekor, 'rekor-v1-key.pem')}@${t1.toISOString()},${path.join(state.layout.rekor, 'rekor-v1-key.2.pem')}@${t2.toISOString()}`);
    // Time must move forward.
    await expect(rotateKeyRing(state, t2)).rejects.toMatchObject({ code: 'BAD_STATE', message: expect.stringContaining('is the clock right?') });
  });

  it.each([
    ['not JSON', '{'],
    ['another format', '{"format": 2, "v1": [], "v2": []}'],
    ['no current key', '{"format": 1, "v1": [{"file": "a.pem", "until": "2026-01-01T00:00:00Z"}], "v2": [{"file": "b.pem"}]}'],
    ['a path outside the folder', '{"format": 1, "v1": [{"file": "../a.pem"}], "v2": [{"file": "b.pem"}]}'],
    ['times out of order', '{"format": 1, "v1": [{"file": "a.pem", "until": "2026-02-01T00:00:00Z"}, {"file": "b.pem", "until": "2026-01-01T00:00:00Z"}, {"file": "c.pem"}], "v2": [{"file": "d.pem"}]}'],
  ])('refuses a damaged history (%s) as BAD_STATE', async (_name, text) => {
    const state = await stateWithFirstKeys(`damaged-${_name.replace(/\W/g, '')}`);
    writeFileSync(path.join(state.layout.rekor, 'log-keys.json'), text);
    await expect(readKeyRing(state)).rejects.toMatchObject({ code: 'BAD_STATE', message: expect.stringContaining('log-keys.json') });
  });
});

describe('the control socket', () => {
  it('answers a request with progress lines and a result, one request at a time', async () => {
    const socket = controlPath(work, 'a1');
    expect(socket).toBe(path.join(work, 'control.sock'));
    const order: string[] = [];
    const server = await listenControl(socket, async (request, progress) => {
      order.push('start');
      progress(`rotating ${request.service}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      order.push('end');
      return { done: request.command };
    });
    try {
      expect(statSync(socket).mode & 0o777).toBe(0o600);
      const lines: string[] = [];
      const [a, b] = await Promise.all([
        requestControl(socket, { command: 'rotate-key', service: 'rekor' }, (l) => lines.push(l)),
        requestControl(socket, { command: 'rotate-key', service: 'rekor' }, () => undefined),
      ]);
      expect(a).toEqual({ done: 'rotate-key' });
      expect(b).toEqual({ done: 'rotate-key' });
      expect(lines).toEqual(['rotating rekor']);
      expect(order).toEqual(['start', 'end', 'start', 'end']);
    } finally {
      await server.close();
    }
    expect(existsSync(socket)).toBe(false);
  });

  it('passes a failure back with its code, and says when nothing listens', async () => {
    const socket = path.join(work, 'failing.sock');
    const server = await listenControl(socket, async () => {
      throw new StackError('TUF_FAILED', 'the repository is gone');
    });
    try {
      await expect(requestControl(socket, { command: 'rotate-key', service: 'rekor' }, () => undefined)).rejects.toMatchObject({ code: 'TUF_FAILED', message: 'the repository is gone' });
    } finally {
      await server.close();
    }
    await expect(requestControl(socket, { command: 'rotate-key', service: 'rekor' }, () => undefined)).rejects.toMatchObject({ code: 'NOT_RUNNING' });
  });

  it('replaces a socket file left by a killed launcher, and moves a too-long path to the temp folder', async () => {
    const socket = path.join(work, 'stale.sock');
    writeFileSync(socket, '');
    const server = await listenControl(socket, async () => 'ok');
    try {
      expect(await requestControl(socket, { command: 'rotate-key', service: 'rekor' }, () => undefined)).toBe('ok');
    } finally {
      await server.close();
    }
    expect(controlPath(path.join(work, 'x'.repeat(120)), 'abc')).toBe(path.join(tmpdir(), 'sigstack-abc.sock'));
  });

  it('finds the running launcher from stack.json only while its process lives', async () => {
    const file = path.join(work, 'stack.json');
    writeFileSync(file, JSON.stringify({ pid: process.ppid, control: '/x.sock' }));
    expect(await runningLauncher(file)).toEqual({ pid: process.ppid, control: '/x.sock' });
    writeFileSync(file, JSON.stringify({ pid: null }));
    expect(await runningLauncher(file)).toBeUndefined();
    expect(await runningLauncher(path.join(work, 'none.json'))).toBeUndefined();
  });
});

describe('rotate-key on the command line', () => {
  it('parses rotate-key rekor, and refuses anything else in one line', () => {
    expect(parseSettings(['rotate-key', 'rekor', '--state', 'x'], {}, '/r')).toMatchObject({ command: 'rotate-key', rotate: 'rekor', state: '/r/x' });
    expect(() => parseSettings(['rotate-key'], {}, '/r')).toThrow('rotate-key needs the service whose keys to rotate: rekor');
    expect(() => parseSettings(['rotate-key', 'fulcio'], {}, '/r')).toThrow('rotate-key needs the service whose keys to rotate: rekor (not "fulcio")');
    expect(parseSettings(['rotate-key', '--help'], {}, '/r').command).toBe('help');
    expect(USAGE).toContain('node tools/stack/dist/main.js rotate-key rekor [--state DIR]');
  });

  it('prints what changed', () => {
    const text = rotationSummary({
      at: '2026-01-01T00:00:00.000Z',
      logs: [{ log: 'v1', baseUrl: 'http://r', previousLogId: 'aa', logId: 'bb' }],
      targetsVersion: 3,
      timestampVersion: 5,
      trustedRootFile: '/s/trusted_root.json',
      running: true,
    });
    expect(text).toBe(
      [
        "Rekor's log keys are rotated at 2026-01-01T00:00:00.000Z (Rekor restarted with them):",
        '  Rekor v1  http://r',
        '    log ID aa (until 2026-01-01T00:00:00.000Z)',
        '        -> bb',
        'trusted_root.json is published as TUF targets v3 (timestamp v5), copied to /s/trusted_root.json;',
        'initialized clients pick it up at their next refresh. Bundles signed before keep verifying.',
        '',
      ].join('\n'),
    );
  });
});
