// `npm run app`: Probot's own runner (APP_ID, PRIVATE_KEY(_PATH), WEBHOOK_SECRET, and
// WEBHOOK_PROXY_URL for a smee.io proxy in development).
import { run } from 'probot';
import appFn from './index.js';

await run(appFn);
