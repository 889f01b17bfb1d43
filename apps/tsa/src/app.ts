import { readFile } from 'node:fs/promises';
import { build } from '@sigstack/server';
import type { RoutesPlugin } from '@sigstack/server';
import type { DestinationStream } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { TsaConfig } from './config.js';
import { tsaErrors } from './errors.js';
import { chainToPem, devIdentity, loadIdentity, IdentityError } from './identity.js';
import type { TsaIdentity } from './identity.js';
import { DerRequestParser, jsonRequestSchema, parseJsonRequest } from './request.js';
import type { JsonTimestampRequest, PolicyRules } from './request.js';
import { counterSerials } from './serial.js';
import type { SerialSource } from './serial.js';
import { TokenBuilder } from './token.js';

export const TIMESTAMP_QUERY = 'application/timestamp-query';
export const TIMESTAMP_REPLY = 'application/timestamp-reply';
export const PEM_CHAIN = 'application/pem-certificate-chain';

export interface TsaAppOptions {
  readonly config: TsaConfig;
  readonly identity: TsaIdentity;
  /** Milliseconds since the epoch (default Date.now). */
  readonly clock?: () => number;
  readonly serials?: SerialSource;
  readonly logDestination?: DestinationStream;
}

/** The key and chain the config names: operator files, or the dev identity under DATA_DIR. */
export async function resolveIdentity(config: TsaConfig): Promise<TsaIdentity> {
  const { KEY_FILE, CERT_CHAIN_FILE } = config;
  if (KEY_FILE === undefined && CERT_CHAIN_FILE === undefined) {
    return devIdentity({ dataDir: config.DATA_DIR, keyType: config.DEV_KEY_TYPE });
  }
  if (KEY_FILE === undefined || CERT_CHAIN_FILE === undefined) {
    throw new IdentityError('set both KEY_FILE and CERT_CHAIN_FILE, or neither for a generated dev identity');
  }
  const [keyPem, chainPem] = await Promise.all([readFile(KEY_FILE, 'utf8'), readFile(CERT_CHAIN_FILE, 'utf8')]);
  return loadIdentity(keyPem, chainPem, config.KEY_PASSWORD?.reveal());
}

/** The TSA's routes: POST /api/v1/timestamp and GET /api/v1/timestamp/certchain. */
export function tsaRoutes(options: TsaAppOptions): RoutesPlugin<TsaConfig> {
  return (app, { config }) => {
    const builder = new TokenBuilder({
      signer: options.identity.signer,
      chain: options.identity.chain,
      accuracyMs: config.ACCURACY,
      includeChain: config.INCLUDE_CHAIN,
      serials: options.serials ?? counterSerials(),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    const rules: PolicyRules = {
      defaultPolicy: config.POLICY_OID,
      accepted: new Set([config.POLICY_OID, ...config.ACCEPTED_POLICY_OIDS]),
    };
    const derParser = new DerRequestParser(rules);
    const chainPem = chainToPem(options.identity.chain);
    const status = config.HTTP_201 ? 201 : 200;

    // This scope takes JSON and DER queries only; fastify's text/plain parser would let
    // a third kind of body through.
    app.removeContentTypeParser('text/plain');
    app.addContentTypeParser(TIMESTAMP_QUERY, { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    app.post(
      '/api/v1/timestamp',
      {
        bodyLimit: config.TIMESTAMP_BODY_LIMIT,
        schema: {
          body: {
            content: {
              'application/json': { schema: jsonRequestSchema },
              // A Buffer: parseDerRequest parses it strictly.
              [TIMESTAMP_QUERY]: { schema: {} },
            },
          },
        },
      },
      async (request, reply) => {
        // Attacker-controlled: parsed strictly, once, here.
        const body: unknown = request.body;
        let accepted;
        if (Buffer.isBuffer(body)) accepted = derParser.parse(body);
        else if (typeof body === 'object' && body !== null) accepted = parseJsonRequest(body as JsonTimestampRequest, rules);
        else throw tsaErrors.create('MALFORMED_TIMESTAMP_REQUEST', 'the request has no body');
        const token = await builder.issue(accepted);
        return reply.code(status).type(TIMESTAMP_REPLY).send(Buffer.from(token.buffer, token.byteOffset, token.byteLength));
      },
    );

    app.get('/api/v1/timestamp/certchain', async (_request, reply) => reply.type(PEM_CHAIN).send(chainPem));
  };
}

/** A ready (not listening) TSA server; tests use `inject()`. */
export function buildTsa(options: TsaAppOptions): Promise<FastifyInstance> {
  return build({
    name: 'tsa',
    config: options.config,
    routes: tsaRoutes(options),
    ...(options.logDestination ? { logDestination: options.logDestination } : {}),
  });
}
