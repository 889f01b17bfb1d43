// `rotate-key rekor`: new signing keys for Rekor's logs, published through the stack's TUF
// repository. A running stack does it itself (asked over its control socket), because only
// it can stop Rekor, switch keys while nothing signs and start Rekor again; a stopped stack's
// state folder is changed directly, and the next `npm start` runs Rekor with the new keys.
import { existsSync } from 'node:fs';
import { StackError } from './errors.js';
import { requestControl, runningLauncher } from './control.js';
import { rotateKeyRing } from './log-keys.js';
import { rekorV2Origin } from './services.js';
import type { Settings } from './settings.js';
import { layout, openState } from './state.js';
import { publishRekorRotation } from './tuf.js';
import type { PublishedRotation, RotatedLog } from './tuf.js';

export interface RotationOutcome {
  readonly at: string;
  readonly logs: readonly RotatedLog[];
  readonly targetsVersion: number;
  readonly timestampVersion: number;
  readonly trustedRootFile: string;
  /** Whether a running stack did it (Rekor restarted) or the stopped state folder was changed. */
  readonly running: boolean;
}

const outcome = (published: PublishedRotation | RotationOutcome, running: boolean): RotationOutcome => ({
  at: published.at instanceof Date ? published.at.toISOString() : published.at,
  logs: published.logs,
  targetsVersion: published.targetsVersion,
  timestampVersion: published.timestampVersion,
  trustedRootFile: published.trustedRootFile,
  running,
});

export async function rotateRekorKeys(settings: Settings, progress: (line: string) => void): Promise<RotationOutcome> {
  const l = layout(settings.state);
  if (!existsSync(l.marker)) throw new StackError('BAD_STATE', `${settings.state} holds no stack (no stack-state.json); start one with npm start first`);
  const launcher = await runningLauncher(l.stackJson);
  if (launcher !== undefined) {
    if (launcher.control === undefined) {
      throw new StackError('BAD_STATE', `the stack running from ${l.dir} (process ${launcher.pid}) takes no requests (an older launcher); stop it, then rotate`);
    }
    const answer = await requestControl(launcher.control, { command: 'rotate-key', service: 'rekor' }, progress);
    return outcome(answer as RotationOutcome, true);
  }
  const state = await openState(settings.state);
  if (!state.marker.complete) throw new StackError('BAD_STATE', `the first start of ${l.dir} did not finish, so it has no trust root to rotate in; start it with npm start`);
  progress('The stack is stopped: making new keys for Rekor; it uses them at its next start...');
  const rotated = await rotateKeyRing(state, new Date());
  progress('Publishing the new trusted root...');
  return outcome(await publishRekorRotation(state, rotated, rekorV2Origin(settings)), false);
}

/** What the command prints on stdout. */
export function rotationSummary(result: RotationOutcome): string {
  const rows = result.logs.map((log) => `  Rekor ${log.log}  ${log.baseUrl}\n    log ID ${log.previousLogId} (until ${result.at})\n        -> ${log.logId}`);
  return [
    `Rekor's log keys are rotated at ${result.at}${result.running ? ' (Rekor restarted with them)' : ' (Rekor uses them at the next start)'}:`,
    ...rows,
    `trusted_root.json is published as TUF targets v${result.targetsVersion} (timestamp v${result.timestampVersion}), copied to ${result.trustedRootFile};`,
    'initialized clients pick it up at their next refresh. Bundles signed before keep verifying.',
    '',
  ].join('\n');
}
