import type { Probot } from 'probot';
import { reviewConfig } from './config-review.js';
import { publishEvaluation } from './evaluation.js';
import { DeliveryQueue } from './queue.js';
import { deliveryLine, reasonOf } from './log-reason.js';
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
    // A failed delivery is logged by event, id and reason: never the error object, whose
    // request, response or payload fields would put bodies in the log.
    const queue = new DeliveryQueue((id, e, event) =>
      app.log.error(deliveryLine(event, id, reasonOf(e)), 'gauntlet: delivery failed'),
    );
    state.drain = () => queue.drain();
    let login: Promise<string> | undefined;
    // The sticky comment is ours only if our bot wrote it; ask GitHub who we are, once.
    const botLogin = () =>
      (login ??= app
        .auth()
        .then(async (o) => `${(await o.rest.apps.getAuthenticated()).data!.slug}[bot]`)
        .catch((e) => {
          login = undefined;
          throw e;
        }));
    // Every handler only queues: all payload access runs inside the queued work, so nothing a
    // payload holds can throw into @octokit/webhooks (which would log the payload with it).
    const later = (context: { id: string; name: string }, work: () => Promise<unknown>) =>
      void queue.push(context.id, async () => void (await work()), context.name);

    app.on('workflow_run.completed', async (context) =>
      later(context, async () => {
        const run = context.payload.workflow_run;
        const repo = context.repo();
        const r = await publishEvaluation(context.octokit, repo, run, settings, botLogin);
        const published = r.suites.join(', ');
        if (published) app.log.info(`gauntlet: published ${published} for workflow run ${run.id}`);
      }),
    );

    app.on('check_run.requested_action', async (context) =>
      later(context, () => {
        const { check_run: check, requested_action: action, sender } = context.payload;
        const id = action?.identifier ?? '';
        return handleRerun(context.octokit, context.repo(), check, id, sender.login, settings);
      }),
    );

    app.on('check_run.rerequested', async (context) =>
      later(context, () => {
        const { check_run: check, sender } = context.payload;
        const repo = context.repo();
        return handleRerun(context.octokit, repo, check, 'rerun_all', sender.login, settings);
      }),
    );

    app.on('check_suite.rerequested', async (context) =>
      later(context, async () => {
        const suite = context.payload.check_suite;
        // Every gauntlet check run of the suite's commit re-runs its workflow run (once per run).
        const { octokit } = context;
        const params = { ...context.repo(), check_suite_id: suite.id, per_page: 100 };
        const runs = await octokit.paginate(octokit.rest.checks.listForSuite, params);
        const done = new Set<string>();
        for (const c of runs) {
          const wf = c.external_id?.split(':')[0];
          if (!c.name.startsWith('gauntlet: ') || !wf || done.has(wf)) continue;
          done.add(wf);
          const by = context.payload.sender.login;
          await handleRerun(octokit, context.repo(), c, 'rerun_all', by, settings);
        }
      }),
    );

    const prEvents = [
      'pull_request.opened',
      'pull_request.synchronize',
      'pull_request.reopened',
    ] as const;
    app.on([...prEvents], async (context) =>
      later(context, () => {
        const pr = context.payload.pull_request;
        return reviewConfig(context.octokit, context.repo(), pr);
      }),
    );
  };
  return { appFn, state };
}

export default gauntletApp().appFn;
