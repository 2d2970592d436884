/**
 * The Action a scaffolded workflow uses. Change it here when the Action is published under
 * another name; `gauntlet init --action OWNER/REPO@REF` overrides it per repository.
 */
export const DEFAULT_ACTION = 'gauntlet-ai/gauntlet@v1';

export interface WorkflowOptions {
  action: string;
  /** The default branch: its runs are the baselines pull requests compare against. */
  branch: string;
  /** Steps before the Action's (an HTTP agent's endpoint). */
  before?: string;
  /** Which provider keys a real-model setup would pass, shown commented. */
  keys: ('anthropic' | 'openai')[];
}

/**
 * .github/workflows/gauntlet.yml: least permissions (contents: write, for the results branch),
 * pull requests and pushes to the default branch (the baselines), the workflow_dispatch inputs
 * the App's "Re-run failed" button sends, and sharding shown commented.
 */
export function workflowYaml(o: WorkflowOptions): string {
  const keys = o.keys
    .map((k) => `          # ${k}-api-key: \${{ secrets.${k.toUpperCase()}_API_KEY }}\n`)
    .join('');
  return `# gauntlet evaluates the agents in .gauntlet/ on every pull request (from gauntlet init).
name: gauntlet
on:
  pull_request:
  push:                         # runs on the default branch are what pull requests compare with
    branches: [${o.branch}]
  workflow_dispatch:            # the gauntlet App's "Re-run failed" sends these two inputs
    inputs:
      tasks:
        description: Task ids or globs to run (empty runs every task)
        default: ""
      suites:
        description: Suites to run (empty runs every suite)
        default: ""
permissions:
  contents: write               # push run records to the gauntlet-results branch; nothing else
concurrency:
  group: gauntlet-\${{ github.ref }}
  cancel-in-progress: true
jobs:
  eval:
    runs-on: ubuntu-24.04
    # To split a large suite over 4 runners: uncomment the matrix, the shard input and the
    # merge job below (it enforces the gates over all shards).
    # strategy:
    #   fail-fast: false
    #   matrix:
    #     shard: [1, 2, 3, 4]
    steps:
      - uses: actions/checkout@v4
${o.before ?? ''}      - uses: ${o.action}
        with:
          suites: \${{ inputs.suites }}
          tasks: \${{ inputs.tasks }}
          # shard: \${{ matrix.shard }}/4
          # The scripted model needs no key; with real models, pass them from secrets:
${keys}  # merge:
  #   needs: eval
  #   if: \${{ !cancelled() }}
  #   runs-on: ubuntu-24.04
  #   steps:
  #     - uses: actions/checkout@v4
  #     - uses: ${o.action}
  #       with:
  #         mode: merge
  #         suites: \${{ inputs.suites }}
`;
}

/** The step that starts the HTTP scaffold's stand-in endpoint before the Action runs. */
export function startEndpointStep(port: number): string {
  return `      # The stand-in endpoint; point the agent's url: at your deployed service instead.
      - run: |
          python3 .gauntlet/agents/support-bot/server.py ${port} &
          timeout 10 sh -c 'until curl -so /dev/null http://127.0.0.1:${port}/; do sleep 0.2; done'
`;
}
