import type { RouteOptions } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Set on a body-taking route whose body is not JSON (a DER TimeStampReq, say) to
     * skip the body-schema requirement. The value says why; the handler must then
     * parse the body strictly itself.
     */
    unvalidatedBody?: string;
  }
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'QUERY']);

// Routes without a querystring schema get this one: with ajv's removeAdditional it
// strips every query parameter, so a handler can never read unvalidated query input.
const NO_QUERY = Object.freeze({ type: 'object', additionalProperties: false });

/** Thrown at start-up for a route that takes input without a schema for it. */
export class RouteSchemaError extends Error {
  readonly code = 'ROUTE_SCHEMA_MISSING';

  constructor(message: string) {
    super(message);
    this.name = 'RouteSchemaError';
  }
}

/**
 * onRoute hook: every input a route reads is described by a JSON schema, checked at
 * start-up rather than in review. Body-taking methods need `schema.body`; paths with
 * parameters need `schema.params`; a missing `schema.querystring` means "no query".
 */
export function requireSchemas(route: RouteOptions): void {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const name = `${methods.join(',')} ${route.url}`;
  const schema = { ...(route.schema ?? {}) };
  const takesBody = methods.some((m) => BODY_METHODS.has(m.toUpperCase()));
  const unvalidated = route.config?.unvalidatedBody;
  if (takesBody && schema.body === undefined && !(typeof unvalidated === 'string' && unvalidated.trim() !== '')) {
    throw new RouteSchemaError(`route ${name} takes a body but declares no schema.body (or config.unvalidatedBody with a reason)`);
  }
  if (/[:*]/.test(route.url) && schema.params === undefined) {
    throw new RouteSchemaError(`route ${name} has path parameters but declares no schema.params`);
  }
  if (schema.querystring === undefined) schema.querystring = NO_QUERY;
  route.schema = schema;
}
