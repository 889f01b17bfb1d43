// The dependency rules of ARCHITECTURE.md, as @nx/enforce-module-boundaries constraints.
// Kept in its own module so the boundary test can lint throwaway projects with exactly
// the rules the workspace uses.
const serverFrameworks = ['fastify', '@fastify/*', 'fastify-*', 'pino', 'pino-*', 'prom-client', 'pg', '@electric-sql/*', 'oidc-provider'];

export const depConstraints = [
  // Apps use libraries; an app never imports another app.
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib', 'type:tool'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
  // Libraries form layers: pure (no I/O) < core (formats and policy) < io (storage,
  // network clients) < server (the fastify scaffolding).
  {
    sourceTag: 'layer:pure',
    onlyDependOnLibsWithTags: ['layer:pure'],
    bannedExternalImports: serverFrameworks,
  },
  {
    sourceTag: 'layer:core',
    onlyDependOnLibsWithTags: ['layer:pure', 'layer:core'],
    bannedExternalImports: serverFrameworks,
  },
  {
    sourceTag: 'layer:io',
    onlyDependOnLibsWithTags: ['layer:pure', 'layer:core', 'layer:io'],
    bannedExternalImports: ['fastify', '@fastify/*', 'fastify-*', 'oidc-provider'],
  },
  { sourceTag: 'layer:server', onlyDependOnLibsWithTags: ['layer:pure', 'layer:core', 'layer:io', 'layer:server'] },
];
