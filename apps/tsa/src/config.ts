import { boolean, commonFields, duration, oneOf, optional, secret, size, string } from '@sigstack/server';
import type { ConfigOf, Field, Parsed } from '@sigstack/server';
import { OID, isOid } from './oids.js';

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(problem: string): Parsed<T> => ({ ok: false, problem });

function oidParse(raw: unknown): Parsed<string> {
  return typeof raw === 'string' && isOid(raw) ? ok(raw) : fail('must be a dotted-decimal object identifier such as 1.3.6.1.4.1.57264.2');
}

/** A dotted-decimal OID. */
function oid(options: { default: string; description: string }): Field<string> {
  return { kind: 'oid', description: options.description, secret: false, optional: false, hasDefault: true, defaultValue: options.default, parse: oidParse };
}

/** OIDs separated by commas (environment) or a list (config file); empty means none. */
function oidList(description: string): Field<readonly string[]> {
  return {
    kind: 'oid-list',
    description,
    secret: false,
    optional: false,
    hasDefault: true,
    defaultValue: [],
    parse(raw) {
      const items = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter((s) => s !== '') : raw;
      if (!Array.isArray(items) || items.length > 64) return fail('must be a list of at most 64 object identifiers');
      const out: string[] = [];
      for (const item of items) {
        const parsed = oidParse(item);
        if (!parsed.ok) return fail(parsed.problem);
        out.push(parsed.value);
      }
      return ok(Object.freeze(out));
    },
  };
}

/** Every setting of the TSA, by environment variable name (a config file may set them too). */
export const tsaConfigSchema = {
  ...commonFields({ port: 3004 }),
  KEY_FILE: optional(string({ description: 'PEM private key of the TSA certificate (PKCS#8, SEC1, or cosign-encrypted); unset: a generated dev key' })),
  KEY_PASSWORD: optional(secret({ description: 'password of a cosign-encrypted KEY_FILE' })),
  CERT_CHAIN_FILE: optional(string({ description: 'PEM chain: the TSA certificate, then its issuers up to the root' })),
  DATA_DIR: string({ default: '.sigstack/tsa', description: 'where the dev key and chain are generated on first start (when KEY_FILE is unset)' }),
  DEV_KEY_TYPE: oneOf(['ecdsa-p256', 'ecdsa-p384'], { default: 'ecdsa-p256', description: 'key type of a generated dev chain' }),
  POLICY_OID: oid({ default: OID.sigstorePolicy, description: 'TSA policy stated in tokens whose request names none' }),
  ACCEPTED_POLICY_OIDS: oidList('more policies a request may name, besides POLICY_OID'),
  ACCURACY: duration({ default: '1s', description: 'accuracy stated in tokens (0 leaves it out); genTime is truncated to whole seconds' }),
  INCLUDE_CHAIN: boolean({ default: false, description: 'with certReq, add the issuing chain after the TSA certificate (upstream include-chain-in-response)' }),
  HTTP_201: boolean({ default: false, description: 'answer timestamps with 201 Created instead of 200 OK (upstream use-http-201)' }),
  TIMESTAMP_BODY_LIMIT: size({ min: 256, default: '4KiB', description: 'largest timestamp request body (DER or JSON)' }),
};

export type TsaConfig = ConfigOf<typeof tsaConfigSchema>;
