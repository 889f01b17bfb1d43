// @peculiar/x509 resolves its providers through tsyringe, which insists on a
// reflect-metadata polyfill at import time. That package is not installed; tsyringe only
// reads design-time metadata for constructor injection, which @peculiar/x509's
// token-based registrations never need, so empty answers suffice for tests.
const r = Reflect as unknown as Record<string, unknown>;
if (typeof r['getMetadata'] !== 'function') {
  r['getMetadata'] = () => undefined;
  r['getOwnMetadata'] = () => undefined;
  r['defineMetadata'] = () => undefined;
  r['hasMetadata'] = () => false;
  r['metadata'] = () => () => undefined;
}
export {};
