import { describe, expect, it } from 'vitest';
import { StackError } from '../src/errors.js';
import { clientCommands, sh } from '../src/output.js';
import type { StackInfo } from '../src/output.js';
import { issuerConfig } from '../src/services.js';
import { parseSettings } from '../src/settings.js';

describe('settings', () => {
  it('defaults to the real services\' ports and .sigstack', () => {
    const s = parseSettings([], {}, '/repo');
    expect(s).toMatchObject({ command: 'up', state: '/repo/.sigstack', ports: { fulcio: 5555, rekor: 3000, ctlog: 6962, tsa: 3004, oidc: 5556, tuf: 8088 } });
  });

  it('takes flags over SIGSTACK_* variables', () => {
    const s = parseSettings(['--state', 'x', '--rekor-port=4000'], { SIGSTACK_REKOR_PORT: '4100', SIGSTACK_TSA_PORT: '4200', SIGSTACK_STATE: 'y' }, '/repo');
    expect(s.state).toBe('/repo/x');
    expect(s.ports.rekor).toBe(4000);
    expect(s.ports.tsa).toBe(4200);
  });

  it('parses dev-token and its profile', () => {
    expect(parseSettings(['dev-token', '--profile', 'gitlab-ci'], {}, '/r')).toMatchObject({ command: 'dev-token', profile: 'gitlab-ci' });
  });

  it.each([
    [['--bogus']],
    [['--fulcio-port', '70000']],
    [['--fulcio-port', '3000']],
    [['--state']],
    [['--profile', 'alice']],
  ])('refuses %j with a USAGE error', (argv) => {
    expect(() => parseSettings(argv, {}, '/r')).toThrow(StackError);
  });
});

describe('output', () => {
  it('quotes for a POSIX shell only when needed', () => {
    expect(sh('/tmp/a.json')).toBe('/tmp/a.json');
    expect(sh("it's here")).toBe("'it'\\''s here'");
  });

  it('uses the TUF mirror when the client has initialize, trust files otherwise', () => {
    const info = {
      services: { oidc: 'http://o', fulcio: 'http://f', rekor: 'http://r', ctlog: 'http://c', tsa: 'http://t', tuf: 'http://u' },
      tufRoot: '/s/tuf/repository/root.json',
      trustedRoot: '/s/trusted_root.json',
      signingConfig: '/s/signing_config.v0.2.json',
      demoFile: '/s/demo/hello.txt',
      predicateFile: '/s/demo/predicate.json',
      user: { profile: 'alice', identity: 'alice@example.com', issuer: 'http://o' },
      workload: { profile: 'github-actions', identity: 'https://github.com/x', issuer: 'http://o/workloads/github-actions' },
      devTokenCommand: 'node t dev-token',
      cliCommands: new Set(['sign-blob', 'verify-blob']),
    } as unknown as StackInfo;
    const plain = clientCommands(info, '/elsewhere');
    expect(plain).toHaveLength(2);
    expect(plain[0]).toContain('--trusted-root /s/trusted_root.json');
    const full = clientCommands({ ...info, cliCommands: new Set(['initialize', 'sign-blob', 'verify-blob', 'attest-blob', 'verify-blob-attestation']) }, '/elsewhere');
    expect(full[0]).toBe('npx sigstack initialize --mirror http://u --root /s/tuf/repository/root.json');
    expect(full).toHaveLength(5);
    expect(full.join('\n')).not.toContain('--trusted-root');
  });
});

describe('Fulcio issuer configuration', () => {
  it('lists the provider and one issuer per workload kind', () => {
    const text = issuerConfig('http://127.0.0.1:5556');
    expect(text).toContain('  http://127.0.0.1:5556:\n    issuer-url: http://127.0.0.1:5556\n    client-id: sigstore\n    type: email\n');
    expect(text).toContain('http://127.0.0.1:5556/workloads/github-actions:\n    issuer-url: http://127.0.0.1:5556/workloads/github-actions\n    client-id: sigstore\n    type: github-workflow\n');
    expect(text).toContain('spiffe-trust-domain: sigstack.test');
  });
});
