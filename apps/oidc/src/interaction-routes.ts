import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors as oidcProviderErrors } from 'oidc-provider';
import { oidcErrors } from './errors.js';
import { escapeHtml, page } from './html.js';
import type { DevUser, Identities } from './identities.js';
import type { ProviderSlot } from './provider.js';

const UID_PARAMS = { type: 'object', required: ['uid'], properties: { uid: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' } } } as const;

const loginBody = {
  type: 'object',
  required: ['user'],
  propertyNames: { enum: ['user', 'password'] },
  properties: { user: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', maxLength: 1024 } },
} as const;

function samePassword(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function loginPage(uid: string, users: readonly DevUser[], clientId: string): string {
  const needsPassword = users.some((u) => u.password !== undefined);
  const buttons = users
    .map((u) => `<button type="submit" name="user" value="${escapeHtml(u.id)}">${escapeHtml(u.name ?? u.id)} &lt;${escapeHtml(u.email)}&gt;</button>`)
    .join('\n');
  const password = needsPassword ? '<label>Password (only for users that have one) <input type="password" name="password" autocomplete="current-password"></label>' : '';
  return page(
    'Sign in',
    `<p>Signing in to <strong>${escapeHtml(clientId)}</strong>. Pick a development user:</p>
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
${password}
${buttons}
</form>
<p><a href="/interaction/${escapeHtml(uid)}/abort">Cancel</a></p>`,
  );
}

/** The login interaction oidc-provider sends people to: a list of the configured dev users. */
export function registerInteractionRoutes(app: FastifyInstance, slot: ProviderSlot, identities: Identities): void {
  const users = new Map(identities.users.map((u) => [u.id, u]));

  // The login page posts a plain HTML form (attacker-controlled: parsed here, checked by loginBody).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  async function details(request: FastifyRequest, reply: FastifyReply) {
    const { uid } = request.params as { uid: string };
    try {
      const found = await slot.current.interactionDetails(slot.forward(request.raw), reply.raw);
      if (found.uid !== uid) throw new oidcProviderErrors.SessionNotFound('interaction mismatch');
      return found;
    } catch (err) {
      if (err instanceof oidcProviderErrors.OIDCProviderError) {
        throw oidcErrors.create('INTERACTION_NOT_FOUND', 'this sign-in has expired or its cookie is missing; start again from your tool', { cause: err });
      }
      throw err;
    }
  }

  async function finish(request: FastifyRequest, reply: FastifyReply, result: Record<string, unknown>) {
    const to = await slot.current.interactionResult(slot.forward(request.raw), reply.raw, result, { mergeWithLastSubmission: false });
    return reply.redirect(to, 303);
  }

  app.get('/interaction/:uid', { schema: { params: UID_PARAMS } }, async (request, reply) => {
    const interaction = await details(request, reply);
    const clientId = String(interaction.params['client_id'] ?? '');
    if (interaction.prompt.name === 'consent') {
      // Asked for when a client insists (prompt=consent, as offline_access needs): a dev IdP
      // grants what its first-party clients ask for, without a screen.
      const { Grant } = slot.current;
      const accountId = interaction.session?.accountId;
      const found = interaction.grantId ? await Grant.find(interaction.grantId) : undefined;
      const grant = found ?? new Grant({ accountId, clientId });
      const missing = interaction.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      return finish(request, reply, { consent: { grantId: await grant.save() } });
    }
    if (interaction.prompt.name !== 'login') {
      return finish(request, reply, { error: 'access_denied', error_description: `unsupported prompt ${interaction.prompt.name}` });
    }
    return reply.type('text/html; charset=utf-8').send(loginPage(interaction.uid, identities.users, clientId));
  });

  app.post('/interaction/:uid/login', { schema: { params: UID_PARAMS, body: loginBody } }, async (request, reply) => {
    await details(request, reply);
    const { user: id, password } = request.body as { user: string; password?: string };
    const user = users.get(id);
    if (user === undefined) throw oidcErrors.create('UNKNOWN_USER', `no user named ${JSON.stringify(id)}`);
    if (user.password !== undefined && !samePassword(password ?? '', user.password)) {
      throw oidcErrors.create('WRONG_PASSWORD', `wrong password for ${user.id}`);
    }
    request.log.info({ user: user.id }, 'dev user signed in');
    return finish(request, reply, { login: { accountId: user.id } });
  });

  app.get('/interaction/:uid/abort', { schema: { params: UID_PARAMS } }, async (request, reply) => {
    await details(request, reply);
    return finish(request, reply, { error: 'access_denied', error_description: 'the user cancelled the sign-in' });
  });
}
