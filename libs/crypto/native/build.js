// Builds the native ECDSA digest verifier (ecdsa_digest.c) with the node-gyp that npm ships,
// against this Node's headers. Without a C compiler the build is skipped with a warning and
// @sigstack/crypto uses its pure-Node fallback; SIGSTACK_NATIVE=required (CI) makes a failed
// build an error instead.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const required = process.env.SIGSTACK_NATIVE === 'required';

function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((c) => c && existsSync(c));
}

// npm passes its `nodedir` setting to scripts it runs; asked directly when run outside npm,
// so node-gyp builds against the local headers instead of downloading them.
function nodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  try {
    const dir = execFileSync('npm', ['config', 'get', 'nodedir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dir && dir !== 'undefined' && dir !== 'null' ? dir : undefined;
  } catch {
    return undefined;
  }
}

function fail(reason) {
  if (required) {
    process.stderr.write(`native ECDSA verifier: build failed (SIGSTACK_NATIVE=required): ${reason}\n`);
    process.exit(1);
  }
  process.stderr.write(`native ECDSA verifier not built (${reason.split('\n')[0]}); @sigstack/crypto falls back to pure-Node verification\n`);
  process.exit(0);
}

const gyp = nodeGyp();
if (!gyp) fail('node-gyp was not found beside npm');
// A failed rebuild must not leave an older binary behind.
rmSync(join(here, 'build'), { recursive: true, force: true });
const dir = nodeDir();
const result = spawnSync(process.execPath, [gyp, 'rebuild', ...(dir ? ['--nodedir', dir] : [])], { cwd: here, encoding: 'utf8' });
if (result.status !== 0) {
  rmSync(join(here, 'build'), { recursive: true, force: true });
  fail(`${(result.stderr || result.error?.message || 'node-gyp failed').trim().split('\n').slice(-8).join('\n')}`);
}
