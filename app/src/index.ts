import type { Probot } from 'probot';
import { reviewConfig } from './config-review.js';
import { publishEvaluation } from './evaluation.js';
import { DeliveryQueue } from './queue.js';
import { handleRerun } from './reruns.js';
import { settingsFromEnv, type AppSettings } from './types.js';

export interface GauntletApp {
  /** Resolves when every accepted delivery has been processed. */
  drain(): Promise<void>;
}

/**
 * The App: webhook handlers only. Each answers at once and queues its work (GitHub gives a
 * delivery 10 s), each delivery id is processed at most once, and everything it renders comes
 * from core, shared with the Action and the CLI.
 */
export function gauntletApp(settings: AppSettings = settingsFromEnv()) {
  const state: GauntletApp = { drain: async () => undefined };
  const appFn = (app: Probot) => {
    const queue = new DeliveryQueue((id, e) => app.log.error({ err: e, delivery: id }, 'gauntlet: delivery failed'));
    state.drain = () => queue.drain();
    let login: Promise<string> | undefined;
    // The sticky comment is ours only if our bot wrote it; ask GitHub who we are, once.
    const botLogin = () =>
      (login ??= app.auth().then(async (o) => `${(await o.rest.apps.getAuthenticated()).data!.slug}[bot]`).catch((e) => {
        login = undefined;
        throw e;
      }));

    app.on('workflow_run.completed', async (context) => {
      const run = context.payload.workflow_run;
      queue.push(context.id, async () => {
        const r = await publishEvaluation(context.octokit, context.repo(), run, settings, botLogin);
        if (r.suites.length) app.log.info(`gauntlet: published ${r.suites.join(', ')} for workflow run ${run.id}`);
      });
    });

    app.on('check_run.requested_action', async (context) => {
      const { check_run: check, requested_action: action, sender } = context.payload;
      queue.push(context.id, async () => void (await handleRerun(context.octokit, context.repo(), check, action?.identifier ?? '', sender.login, settings)));
    });

    app.on('check_run.rerequested', async (context) => {
      const { check_run: check, sender } = context.payload;
      queue.push(context.id, async () => void (await handleRerun(context.octokit, context.repo(), check, 'rerun_all', sender.login, settings)));
    });

    app.on('check_suite.rerequested', async (context) => {
      const suite = context.payload.check_suite;
      queue.push(context.id, async () => {
        // Every gauntlet check run of the suite's commit re-runs its workflow run (once per run).
        const runs = await context.octokit.paginate(context.octokit.rest.checks.listForSuite, { ...context.repo(), check_suite_id: suite.id, per_page: 100 });
        const done = new Set<string>();
        for (const c of runs) {
          const wf = c.external_id?.split(':')[0];
          if (!c.name.startsWith('gauntlet: ') || !wf || done.has(wf)) continue;
          done.add(wf);
          await handleRerun(context.octokit, context.repo(), c, 'rerun_all', context.payload.sender.login, settings);
        }
      });
    });

    app.on(['pull_request.opened', 'pull_request.synchronize', 'pull_request.reopened'], async (context) => {
      const pr = context.payload.pull_request;
      queue.push(context.id, async () => void (await reviewConfig(context.octokit, context.repo(), pr)));
    });
  };
  return { appFn, state };
}

export default gauntletApp().appFn;
