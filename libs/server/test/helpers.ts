import { Writable } from 'node:stream';
import { commonFields } from '../src/common.js';
import { parseConfig } from '../src/config.js';
import type { CommonConfig } from '../src/common.js';

/** The common config as an app would get it, on a free port, overridable per test. */
export function testConfig(env: Record<string, string> = {}): CommonConfig {
  return parseConfig(commonFields({ port: 0 }), { env: { LOG_LEVEL: 'silent', ...env } });
}

/** A log destination that keeps every JSON line pino writes. */
export function captureLogs(): { stream: Writable; lines: () => Record<string, unknown>[]; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const text = () => chunks.join('');
  const lines = () =>
    text()
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { stream, lines, text };
}
