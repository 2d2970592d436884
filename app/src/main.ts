// `npm run app`: reads app/.env (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET; PORT,
// HOST, WEBHOOK_PATH, and WEBHOOK_PROXY_URL for a smee.io proxy in development).
import { existsSync } from 'node:fs';
import { createProbot, run } from 'probot';
import { SmeeClient } from 'smee-client';
import appFn from './index.js';
import { createWebhookServer } from './webhook-server.js';

if (existsSync('.env')) process.loadEnvFile('.env');
const env = process.env;

if (!env.APP_ID) {
  // Not registered yet: Probot's setup page registers the App from app.yml and writes .env.
  // It serves only until the App exists; deliveries are served by the server below.
  await run(appFn);
} else {
  // Without a secret anyone could post deliveries; Probot would fall back to "development".
  if (!env.WEBHOOK_SECRET) {
    console.error(
      "gauntlet app: WEBHOOK_SECRET is not set. Set it in app/.env to the App's webhook secret.",
    );
    process.exit(1);
  }
  const probot = createProbot({ env });
  await probot.load(appFn);
  const path = env.WEBHOOK_PATH || '/api/github/webhooks';
  const server = createWebhookServer({ probot, secret: env.WEBHOOK_SECRET, path });
  const port = Number(env.PORT) || 3000;
  const host = env.HOST || 'localhost';
  await new Promise<void>((r) => server.listen(port, host, r));
  probot.log.info(`gauntlet app: listening on http://${host}:${port}${path}`);
  if (env.WEBHOOK_PROXY_URL) {
    const target = `http://${host}:${port}${path}`;
    await new SmeeClient({ source: env.WEBHOOK_PROXY_URL, target, logger: console }).start();
  }
  process.on('SIGINT', () => server.close(() => process.exit(0)));
}
