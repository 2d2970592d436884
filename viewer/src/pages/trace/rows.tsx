import type { RunRecord } from '../../../../core/src/index.js';
import { SourceBadge } from '../../ui/chips.js';
import { ms, usd } from '../../ui/format.js';
import { DiffView } from './diff-view.js';
import { opsOf, snapshotKept, stateAfter } from './ledger.js';
import { LedgerView } from './ledger-view.js';
import { arr, num, obj, str, text } from '../../data/safe.js';
import { Field, TextBlock } from './text-block.js';
import type { TimelineRow } from './timeline.js';

/** What a CLI's capture records when a command's output never reached it. */
const NOT_CAPTURED = 'output not captured';

const exitOf = (row: TimelineRow) => num(obj(row.step?.detail).exit_code);

/** The badges at the end of a collapsed row: cheap, no detail drawn. */
export function RowBadges({ row, actor }: { row: TimelineRow; actor: boolean }) {
  const tool = row.tool;
  const exit = exitOf(row);
  return (
    <>
      {row.thinking?.length ? (
        <span class="badge thinking" title="Reasoning: expand the row">
          thinking {row.thinking.length}
        </span>
      ) : null}
      {tool ? <SourceBadge source={text(tool.source)} /> : null}
      {tool && num(tool.latency_ms) !== null ? (
        <span class="muted small">{ms(num(tool.latency_ms))}</span>
      ) : null}
      {tool?.error ? <span class="badge verdict-fail">error</span> : null}
      {row.model ? <span class="muted small">{ms(num(row.model.latency_ms))}</span> : null}
      {(row.kind === 'shell' || row.kind === 'edit') && exit !== null ? (
        <span class={`badge ${exit === 0 ? 'verdict-pass' : 'verdict-fail'}`}>exit {exit}</span>
      ) : null}
      {actor && row.actor ? <span class="badge actor">{row.actor}</span> : null}
    </>
  );
}

/** A tool call's detail: arguments, response, error, and the ledger after it. */
function ToolDetail({ row, record }: { row: TimelineRow; record: RunRecord }) {
  const t = row.tool!;
  const ledger = obj(t.ledger);
  const hasLedger = 'ledger' in t && ledger.changes !== undefined;
  const facts = [
    num(t.status) !== null ? `HTTP ${num(t.status)}` : '',
    str(t.fault) ? `fault: ${str(t.fault)}` : '',
    num(t.model_ms) !== null ? `simulator ${ms(num(t.model_ms))}` : '',
    num(t.rule) !== null ? `failure rule #${num(t.rule)! + 1}` : '',
  ].filter(Boolean);
  return (
    <>
      {facts.length ? <p class="muted small">{facts.join(' · ')}</p> : null}
      <Field name="Arguments" value={t.args} />
      {'response' in t ? <Field name="Response" value={t.response} /> : null}
      {str(t.error) ? (
        <div class="field">
          <div class="field-name bad">Error</div>
          <TextBlock value={t.error} class="text-bad" />
        </div>
      ) : null}
      {hasLedger && row.toolIndex !== undefined ? (
        <div class="field">
          <div class="field-name">Ledger after this call</div>
          <LedgerView
            state={() => stateAfter(record, row.toolIndex!)}
            ops={opsOf(t).map((op) => ({ op }))}
            note={
              snapshotKept(t) ? undefined : 'State rebuilt from the Changes (snapshot not kept)'
            }
          />
        </div>
      ) : null}
    </>
  );
}

function ModelDetail({ row }: { row: TimelineRow }) {
  const m = row.model!;
  const uses = arr(m.tool_uses);
  const results = arr(m.tool_results);
  return (
    <>
      <p class="muted small">
        {str(m.purpose) ?? 'agent'} · {str(m.provider)} {str(m.model)} · HTTP {num(m.status)} ·{' '}
        {num(m.input_tokens) ?? 0}+{num(m.output_tokens) ?? 0} tokens ·{' '}
        {m.price_unknown ? 'cost unknown' : usd(num(m.cost_usd))} · {ms(num(m.latency_ms))}
        {m.stream ? ' · streamed' : ''}
      </p>
      {str(m.error) ? <Field name="Error" value={m.error} /> : null}
      {str(m.response_preview) ? <Field name="Response" value={m.response_preview} /> : null}
      {uses.length ? <Field name="Tool uses" value={uses} /> : null}
      {results.length ? <Field name="Tool results sent" value={results} /> : null}
    </>
  );
}

/** A shell, read or search step: the command, its output (or that none was captured), exit. */
function ShellDetail({ row }: { row: TimelineRow }) {
  const d = obj(row.step?.detail);
  const output = d.output;
  // A process the capture saw names its argv; a CLI's shell step its command line.
  const command = str(d.command) ?? (Array.isArray(d.argv) ? d.argv.map(text).join(' ') : null);
  const missing = output === undefined || output === null || output === NOT_CAPTURED;
  return (
    <>
      {command ? <Field name="Command" value={command} /> : null}
      {d.input !== undefined ? <Field name="Input" value={d.input} /> : null}
      {missing ? (
        <p class="muted small not-captured">Output not captured</p>
      ) : (
        <Field name="Output" value={output} />
      )}
      {'exit_code' in d ? (
        <p class="muted small">exit code {num(d.exit_code) ?? 'unknown (not reported)'}</p>
      ) : null}
    </>
  );
}

/** The expanded part of a row, drawn only once the row is opened. */
export function RowDetail({ row, record }: { row: TimelineRow; record: RunRecord }) {
  const d = row.step?.detail;
  const dd = obj(d);
  switch (row.kind) {
    case 'turn':
      return (
        <>
          {row.thinking?.length ? (
            <div class="reasoning-panel">
              <div class="field-name">Reasoning</div>
              {row.thinking.map((t, i) => (
                <TextBlock key={i} value={str(obj(t.detail).text) ?? t.summary} />
              ))}
            </div>
          ) : null}
          <TextBlock value={str(dd.text) ?? row.summary} />
        </>
      );
    case 'reasoning':
      return <TextBlock value={str(dd.text) ?? row.summary} class="reasoning-text" />;
    case 'tool':
      if (row.tool) return <ToolDetail row={row} record={record} />;
      return (
        <>
          {dd.input !== undefined ? <Field name="Input" value={dd.input} /> : null}
          {dd.output !== undefined ? <Field name="Output" value={dd.output} /> : null}
          {dd.input === undefined && dd.output === undefined ? (
            <TextBlock value={row.summary} />
          ) : null}
        </>
      );
    case 'model':
      if (row.model) return <ModelDetail row={row} />;
      break;
    case 'event': {
      const e = obj(row.event);
      return (
        <>
          <p class="muted small">
            {str(e.type) ?? 'event'}
            {str(e.received_at) && e.received_at !== e.occurred_at
              ? ` · received ${str(e.received_at)}`
              : ''}
          </p>
          <Field name="Data" value={e.data ?? row.summary} />
        </>
      );
    }
    case 'shell':
      return <ShellDetail row={row} />;
    case 'edit':
      return (
        <>
          {typeof dd.diff === 'string' ? <DiffView diff={dd.diff} /> : null}
          {str(dd.error) ? <Field name="Error" value={dd.error} /> : null}
          {typeof dd.diff !== 'string' && d !== undefined ? <TextBlock value={d} /> : null}
        </>
      );
    case 'error':
      return <TextBlock value={str(dd.message) ?? d ?? row.summary} class="text-bad" />;
    case 'final':
      return <TextBlock value={row.summary} />;
  }
  return d !== undefined ? <TextBlock value={d} /> : <TextBlock value={row.summary} />;
}
