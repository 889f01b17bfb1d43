import type { FastifyInstance, HTTPMethods } from 'fastify';
import type { ProviderSlot } from './provider.js';

const UID_PARAMS = { type: 'object', required: ['uid'], properties: { uid: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

/** The oidc-provider endpoints (its default routes), each with the methods it answers. */
const PROVIDER_ROUTES: readonly (readonly [readonly HTTPMethods[], string])[] = [
  [['GET', 'OPTIONS'], '/.well-known/openid-configuration'],
  [['GET', 'OPTIONS'], '/jwks'],
  [['GET', 'POST'], '/auth'],
  [['GET'], '/auth/:uid'],
  [['POST', 'OPTIONS'], '/token'],
  [['GET', 'POST', 'OPTIONS'], '/me'],
  [['POST', 'OPTIONS'], '/device/auth'],
  [['GET', 'POST'], '/device'],
  [['GET'], '/device/:uid'],
  [['GET', 'POST'], '/session/end'],
  [['POST'], '/session/end/confirm'],
  [['GET'], '/session/end/success'],
  [['POST', 'OPTIONS'], '/token/revocation'],
];

/**
 * Route the provider's endpoints to its Koa callback through the raw request and response.
 * Registered in its own plugin with one pass-through body parser, so fastify leaves the
 * body stream unread and oidc-provider parses (and limits) it, as it does when it runs alone.
 */
export async function registerProviderRoutes(app: FastifyInstance, slot: ProviderSlot): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
  for (const [methods, url] of PROVIDER_ROUTES) {
    app.route({
      method: [...methods],
      url,
      config: { unvalidatedBody: 'oidc-provider reads and checks its own form and JSON bodies' },
      ...(url.includes(':') ? { schema: { params: UID_PARAMS } } : {}),
      handler: (request, reply) => {
        reply.hijack();
        reply.raw.setHeader('x-request-id', request.id);
        slot.handle(request.raw, reply.raw);
      },
    });
  }
}
