import OpenAI from 'openai';
import type { RunRecord, SuiteManifest } from '../results/record.js';
import type { LaunchEvent, Launcher, RunbookOptions } from '../server/launch.js';
import { startServe, type ServeHandle, type ServeOptions } from '../server/server.js';
import { record } from './records.js';
import { makeTree } from './tree.js';

/** A scripted OpenAI provider: "hello" gets a fixed answer with fixed usage. */
export const CHAT_SCRIPT = `rules:
  - when: { last_user: "hello" }
    reply: { text: "Hello from the script", usage: { input_tokens: 12, output_tokens: 5 } }
fallback: { text: "no rule matched" }
`;

/** A served tree: a scripted openai provider, one declared agent, a runbook, an upload. */
export async function servedTree(extra: Record<string, string> = {}): Promise<string> {
  return makeTree({
    '.gauntlet/gauntlet.yaml': 'providers:\n  openai:\n    script: models/chat.yaml\n',
    '.gauntlet/models/chat.yaml': CHAT_SCRIPT,
    '.gauntlet/agents/analyst.yaml': 'kind: agent\nname: analyst\ncommand: claude -p "hi"\n',
    'runbooks/sales.md': '# Mission\nRead the CSV and write /app/results/report.md.\n',
    'data/sales.csv': 'region,total\nnorth,10\n',
    ...extra,
  });
}

export interface Served {
  server: ServeHandle;
  client: OpenAI;
  root: string;
  close(): Promise<void>;
}

export async function serve(
  o: Partial<ServeOptions> & { files?: Record<string, string> } = {},
): Promise<Served> {
  const root = o.root ?? (await servedTree(o.files));
  const server = await startServe({ env: {}, ...o, root });
  const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  return { server, client, root, close: () => server.close() };
}

/**
 * A stand-in for runRunbook with the contract's signature, driven by the test: it records the
 * options it was given, emits the events the test asks for, and settles when the test says.
 */
export class LauncherDouble {
  readonly calls: RunbookOptions[] = [];
  private gate?: { release(r?: Partial<RunRecord>): void; fail(e: unknown): void };
  /** Resolves when a launch has started (its options are in `calls`). */
  started: Promise<RunbookOptions>;
  private onStart!: (o: RunbookOptions) => void;

  constructor(
    private readonly script: {
      events?: LaunchEvent[];
      record?: Partial<RunRecord>;
      error?: unknown;
      /** Hold the first run until release() or fail(), or its signal aborts; later ones end at once. */
      hold?: boolean;
    } = {},
  ) {
    this.started = new Promise((r) => (this.onStart = r));
  }

  release(r?: Partial<RunRecord>) {
    this.gate?.release(r);
  }

  fail(e: unknown) {
    this.gate?.fail(e);
  }

  readonly launch: Launcher = async (o) => {
    this.calls.push(o);
    this.onStart(o);
    for (const e of this.script.events ?? []) o.onEvent?.(e);
    if (this.script.error) throw this.script.error;
    let rec: Partial<RunRecord> = this.script.record ?? {};
    if (this.script.hold && this.calls.length === 1)
      rec = await new Promise<Partial<RunRecord>>((ok, fail) => {
        this.gate = { release: (r) => ok(r ?? rec), fail };
        o.signal?.addEventListener('abort', () => ok({ ...rec, status: 'cancelled' }));
      });
    const full = record({ task_id: o.task ?? 'runbook', id: 'r-run1', suite: 'runbook', ...rec });
    return { record: full, manifest: {} as SuiteManifest, dir: '/nowhere' };
  };
}
