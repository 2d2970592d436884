import { readFile, stat } from 'node:fs/promises';
import { ConfigError, formatIssue } from '../config/errors.js';
import { MAX_RUNBOOK_BYTES } from '../config/runbook.js';
import type { RunRecord } from '../results/record.js';
import { didYouMean } from '../util/suggest.js';
import { agentNames, type ServeContext } from './context.js';
import { ApiError, invalid, sendJson } from './errors.js';
import { fileUnderRoot } from './files-under-root.js';
import type { LaunchEvent, RunbookOptions } from './launch.js';
import { lastUserText, systemText } from './messages.js';
import type { RunbookBlock } from './request-schema.js';
import type { RouteContext } from './routes.js';
import { runSummary, runUsage, viewEvent } from './run-events.js';
import { ChunkStream } from './sse.js';

/** Progress text kept for a non-streaming answer's `reasoning_content`. */
const REASONING_MAX_CHARS = 64 * 1024;
/**
 * A streaming request's headers wait this long for the run's first event, so a run refused at
 * once (bad config, unknown agent) is still a plain HTTP error; then the stream opens anyway.
 */
const OPEN_STREAM_AFTER_MS = 1000;

/**
 * What the block asks for, checked before anything starts: the mission, the instruction, the
 * agent and the files. Every refusal is a 400 naming the field.
 */
async function launchOptions(ctx: ServeContext, body: Record<string, unknown>) {
  const block = body.gauntlet as RunbookBlock;
  const messages = body.messages as { role?: unknown; content?: unknown }[];
  let runbook: string;
  if (block.runbook === true) {
    runbook = systemText(messages);
    if (!runbook)
      throw invalid(
        'gauntlet.runbook is true, so the system message is the runbook, but the request has ' +
          'none: add a system message, or name a runbook file (gauntlet.runbook: "runbooks/x.md")',
        'messages',
        'missing_runbook',
      );
  } else {
    const file = await fileUnderRoot(ctx.root, block.runbook, 'gauntlet.runbook');
    // The YAML's rules for a runbook file: markdown, within the cap (by its size, before any
    // read), so a request cannot make any file under ROOT a mission or buffer a huge one.
    if (!/\.(md|markdown)$/i.test(file))
      throw invalid(
        `gauntlet.runbook: "${block.runbook}" is not a markdown file (.md or .markdown)`,
        'gauntlet.runbook',
        'runbook_not_markdown',
      );
    const size = (await stat(file)).size;
    if (size > MAX_RUNBOOK_BYTES)
      throw invalid(
        `gauntlet.runbook: "${block.runbook}" is ${size} bytes; a runbook is at most ` +
          `${MAX_RUNBOOK_BYTES}`,
        'gauntlet.runbook',
        'runbook_too_large',
      );
    runbook = (await readFile(file)).toString('utf8');
  }
  const instruction = lastUserText(messages);
  if (!instruction)
    throw invalid(
      "the request has no user message: the newest user message is the run's instruction",
      'messages',
      'missing_instruction',
    );
  const known = agentNames(ctx);
  const model = body.model as string;
  const agent = block.agent ?? (known.includes(model) ? model : undefined);
  if (!agent)
    throw invalid(
      `gauntlet.agent is required unless the model names an agent; agents: ${known.join(', ')}`,
      'gauntlet.agent',
      'missing_agent',
    );
  if (!known.includes(agent)) {
    const guess = didYouMean(agent, known);
    throw invalid(
      `gauntlet.agent: no agent "${agent}"${guess ? `; did you mean "${guess}"?` : ''} ` +
        `(agents: ${known.join(', ')})`,
      'gauntlet.agent',
      'unknown_agent',
    );
  }
  const files = block.files ?? [];
  for (const [i, f] of files.entries()) await fileUnderRoot(ctx.root, f, `gauntlet.files.${i}`);
  return {
    root: ctx.root,
    ...(ctx.configDir ? { configDir: ctx.configDir } : {}),
    ...(block.suite ? { suite: block.suite } : {}),
    runbook,
    ...(block.runbook === true ? {} : { runbookName: block.runbook }),
    agent,
    instruction,
    ...(block.task ? { task: block.task } : {}),
    ...(files.length ? { files } : {}),
    resultsDir: ctx.resultsDir,
    env: ctx.env,
  } satisfies RunbookOptions;
}

/** The request field behind a launch field runRunbook refused (`files.0`, `instruction`). */
function launchParam(field: string): string | null {
  const head = field.split('.')[0];
  if (head === 'instruction') return 'messages';
  if (head === 'runbookName') return 'gauntlet.runbook';
  return ['runbook', 'agent', 'task', 'files', 'suite'].includes(head) ? `gauntlet.${field}` : null;
}

/** A launch that failed, as the error a client is told (a status before streaming). */
function launchError(e: unknown, redact: (s: string) => string): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof ConfigError)
    return new ApiError(
      400,
      'invalid_request_error',
      redact(`the run's config is invalid:\n${e.issues.map(formatIssue).join('\n')}`),
      'config_error',
      launchParam(e.issues[0]?.field ?? ''),
    );
  const code = (e as { code?: unknown }).code;
  return new ApiError(
    500,
    'server_error',
    redact(`the run could not be carried out: ${(e as Error).message ?? String(e)}`),
    typeof code === 'string' ? code : 'run_failed',
  );
}

/** The vendor field of the closing chunks and of a whole answer. */
function vendor(ctx: ServeContext, record: RunRecord, extra: Record<string, unknown> = {}) {
  return {
    gauntlet: {
      run: runSummary(record, ctx.baseUrl()),
      cost_usd: record.cost.total_usd,
      cost: record.cost,
      ...extra,
    },
  };
}

/** A run that did not complete says so in text too, for clients that show only text. */
const statusLine = (r: RunRecord) =>
  r.status === 'completed'
    ? ''
    : `run ${r.status}${r.error ? `: ${r.error.class}${r.error.code ? ` (${r.error.code})` : ''}: ${r.error.message}` : ''}`;

/**
 * POST /v1/chat/completions with a `gauntlet` block: launches a runbook run and answers it as
 * a chat completion. Streaming: progress as `delta.reasoning_content` text with the event in
 * the `gauntlet.event` vendor field, then the final response as `delta.content`, the `stop`
 * chunk, a usage chunk (tokens; cost and the run's record link in `gauntlet`), `[DONE]`. A
 * client that disconnects cancels the run (its sandbox is torn down).
 */
export async function runbookChat(ctx: ServeContext, { res, body, signal }: RouteContext) {
  const opts = await launchOptions(ctx, body!);
  if (!ctx.runs.take())
    throw new ApiError(
      429,
      'requests',
      `${ctx.runs.max} runbook run(s) already in flight, each in its own sandbox; retry later`,
      'rate_limit_exceeded',
      null,
      { 'retry-after': '10' },
    );
  try {
    if (body!.stream === true) await streamed(ctx, res, body!.model as string, opts, signal);
    else await whole(ctx, res, body!.model as string, opts, signal);
  } finally {
    ctx.runs.give();
  }
}

async function streamed(
  ctx: ServeContext,
  res: RouteContext['res'],
  model: string,
  opts: RunbookOptions,
  signal: AbortSignal,
) {
  let stream: ChunkStream | undefined;
  const open = () => {
    if (!stream && !signal.aborted) {
      stream = new ChunkStream(res, model);
      stream.chunk({ role: 'assistant', content: '' });
    }
    return stream;
  };
  const opener = setTimeout(open, OPEN_STREAM_AFTER_MS).unref();
  const onEvent = (e: LaunchEvent) => {
    const v = signal.aborted ? undefined : viewEvent(e, ctx.redact);
    if (v)
      open()?.chunk(
        { reasoning_content: `${v.text}\n` },
        { extra: { gauntlet: { event: v.event } }, droppable: true },
      );
  };
  let record: RunRecord;
  try {
    ({ record } = await ctx.launch({ ...opts, signal, onEvent }));
  } catch (e) {
    if (signal.aborted) return void stream?.close();
    const err = launchError(e, ctx.redact);
    if (!stream) throw err;
    return stream.error(err.message, err.type, err.code);
  } finally {
    clearTimeout(opener);
  }
  if (signal.aborted) return void stream?.close();
  const s = open()!;
  const line = statusLine(record);
  if (line) s.chunk({ reasoning_content: `${ctx.redact(line)}\n` });
  if (record.final_response) s.chunk({ content: record.final_response });
  const extra = vendor(ctx, record, s.dropped ? { dropped_events: s.dropped } : {});
  s.chunk({}, { finish: 'stop', extra });
  s.usage(runUsage(record), extra);
  s.done();
}

async function whole(
  ctx: ServeContext,
  res: RouteContext['res'],
  model: string,
  opts: RunbookOptions,
  signal: AbortSignal,
) {
  let reasoning = '';
  const onEvent = (e: LaunchEvent) => {
    const v = viewEvent(e, ctx.redact);
    if (v && reasoning.length < REASONING_MAX_CHARS)
      reasoning += `${v.text}\n`.slice(0, REASONING_MAX_CHARS - reasoning.length);
  };
  let record: RunRecord;
  try {
    ({ record } = await ctx.launch({ ...opts, signal, onEvent }));
  } catch (e) {
    if (signal.aborted) return;
    throw launchError(e, ctx.redact);
  }
  if (signal.aborted) return;
  const line = statusLine(record);
  if (line) reasoning += `${ctx.redact(line)}\n`;
  sendJson(res, 200, {
    id: `chatcmpl-${record.id}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: record.final_response ?? '',
          ...(reasoning ? { reasoning_content: reasoning } : {}),
        },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: runUsage(record),
    ...vendor(ctx, record),
  });
}
