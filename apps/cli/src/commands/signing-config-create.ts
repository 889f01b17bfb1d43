// sigstack signing-config create: cosign 3's command, writing signing_config.v0.2.json.
import { parseSigningConfig, serializeSigningConfig, SIGNING_CONFIG_MEDIA_TYPE_V02 } from '@sigstack/trust';
import { list, parseFlags, positionals, str } from '../args.js';
import type { Command } from '../command.js';
import { usage } from '../errors.js';
import { writeOutput } from '../files.js';
import { parseTrustFile } from '../trust/load.js';
import { parseSpec, specTime } from '../trust/spec.js';

const FLAGS = {
  fulcio: { type: 'string', multiple: true },
  rekor: { type: 'string', multiple: true },
  'oidc-provider': { type: 'string', multiple: true },
  tsa: { type: 'string', multiple: true },
  'rekor-config': { type: 'string' },
  'tsa-config': { type: 'string' },
  'base-config': { type: 'string' },
  out: { type: 'string' },
} as const;

function service(flag: string, text: string): Record<string, unknown> {
  const spec = parseSpec(flag, text, ['url', 'api-version', 'start-time', 'operator'], ['end-time']);
  const version = Number(spec.get('api-version'));
  if (!Number.isSafeInteger(version) || version < 1) throw usage(`--${flag}: api-version must be a positive integer`);
  const end = specTime(flag, spec.get('end-time'));
  return {
    url: spec.get('url'),
    majorApiVersion: version,
    validFor: { start: specTime(flag, spec.get('start-time')), ...(end ? { end } : {}) },
    operator: spec.get('operator'),
  };
}

function selector(flag: string, text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  const m = /^(ANY|ALL|EXACT:([1-9][0-9]*))$/.exec(text);
  if (!m) throw usage(`--${flag}: expected ANY, ALL or EXACT:<count>`);
  return m[2] === undefined ? { selector: m[1] } : { selector: 'EXACT', count: Number(m[2]) };
}

export const signingConfigCreate: Command = {
  name: 'signing-config create',
  summary: 'Write a signing_config.v0.2.json naming the services clients sign with (cosign 3 flags)',
  usage: 'sigstack signing-config create [--base-config FILE] [--fulcio url=..,api-version=1,start-time=T,operator=O] [--rekor ...] [--rekor-config ANY|ALL|EXACT:N] [--tsa ...] [--tsa-config ...] [--oidc-provider ...] [--out FILE]',
  async run(argv, io) {
    const p = parseFlags('signing-config create', argv, FLAGS);
    positionals(p, 'signing-config create', []);
    const baseFile = str(p, 'base-config');
    const base = baseFile === undefined ? undefined : (JSON.parse(serializeSigningConfig(parseTrustFile(io, baseFile, 'signing config', parseSigningConfig))) as Record<string, unknown>);
    const json: Record<string, unknown> = {
      mediaType: SIGNING_CONFIG_MEDIA_TYPE_V02,
      caUrls: base?.['caUrls'] ?? [],
      oidcUrls: base?.['oidcUrls'] ?? [],
      rekorTlogUrls: base?.['rekorTlogUrls'] ?? [],
      tsaUrls: base?.['tsaUrls'] ?? [],
      ...(base?.['rekorTlogConfig'] ? { rekorTlogConfig: base['rekorTlogConfig'] } : {}),
      ...(base?.['tsaConfig'] ? { tsaConfig: base['tsaConfig'] } : {}),
    };
    // Service flags replace the base config's services of their kind, as cosign's do.
    const kinds = [['fulcio', 'caUrls'], ['oidc-provider', 'oidcUrls'], ['rekor', 'rekorTlogUrls'], ['tsa', 'tsaUrls']] as const;
    for (const [flag, field] of kinds) {
      const given = list(p, flag);
      if (given.length > 0) json[field] = given.map((t) => service(flag, t));
    }
    const rekorConfig = selector('rekor-config', str(p, 'rekor-config'));
    const tsaConfig = selector('tsa-config', str(p, 'tsa-config'));
    if (list(p, 'rekor').length > 0 && rekorConfig === undefined && json['rekorTlogConfig'] === undefined) throw usage('signing-config create: --rekor needs --rekor-config');
    if (list(p, 'tsa').length > 0 && tsaConfig === undefined && json['tsaConfig'] === undefined) throw usage('signing-config create: --tsa needs --tsa-config');
    if (rekorConfig) json['rekorTlogConfig'] = rekorConfig;
    if (tsaConfig) json['tsaConfig'] = tsaConfig;
    json['rekorTlogConfig'] ??= { selector: 'ANY' };
    json['tsaConfig'] ??= { selector: 'ANY' };
    const text = `${serializeSigningConfig(parseSigningConfig(JSON.stringify(json)))}\n`;
    const out = str(p, 'out');
    if (out === undefined) io.stdout(text);
    else writeOutput(io, out, text, 'signing config');
    return 0;
  },
};
