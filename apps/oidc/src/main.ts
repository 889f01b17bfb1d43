// Entry point: loads the configuration, the identities and the keys, then starts the server.
import { ConfigError, loadConfig, start } from '@sigstack/server';
import { OidcApp } from './app.js';
import { issuerOf, oidcConfigSchema } from './config.js';
import { IdentitiesError, loadIdentities } from './identities.js';
import { KeyStore } from './keys.js';
import { workloadSecretFile } from './secret-file.js';

const BANNER = `
  *****************************************************************************
  *  sigstack-oidc is a DEVELOPMENT identity provider. Anyone who can reach it  *
  *  can sign in as any configured user and mint CI workload tokens. Never let  *
  *  a production Fulcio trust it: use your organisation's own IdP instead.     *
  *****************************************************************************
`;

async function main(): Promise<void> {
  const config = loadConfig(oidcConfigSchema);
  const identities = loadIdentities(config.IDENTITIES_FILE);
  const keys = await KeyStore.open({
    dir: config.DATA_DIR,
    policy: {
      rotationPeriodMs: config.KEY_ROTATION_PERIOD,
      publishLeadMs: config.KEY_PUBLISH_LEAD,
      // Workload tokens may ask for up to an hour; a superseded key outlives every token it signed.
      retentionMs: Math.max(config.TOKEN_TTL, 3_600_000) + 300_000,
    },
  });
  const fromFile = config.WORKLOAD_SECRET === undefined ? await workloadSecretFile(config.DATA_DIR) : undefined;
  const workloadSecret = config.WORKLOAD_SECRET ?? fromFile?.secret;
  if (workloadSecret === undefined) throw new Error('no workload secret');
  const app = new OidcApp({ identities, keys, workloadSecret });
  process.stderr.write(BANNER);
  const running = await start({ name: 'oidc', config, routes: app.routes });
  const log = running.app.log;
  log.warn(
    {
      issuer: issuerOf(config),
      users: identities.users.map((u) => u.id),
      workloads: [...identities.workloads.keys()],
      ...(fromFile ? { workloadSecretFile: fromFile.path } : {}),
    },
    'development identity provider: not for production; Fulcio in production must trust your organisation\'s IdP',
  );
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof IdentitiesError) {
    process.stderr.write(`oidc: ${err.message}\n`);
  } else {
    process.stderr.write(`oidc: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
});
