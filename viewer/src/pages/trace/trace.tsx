import type { RunRecord } from '../../../../core/src/index.js';
import { useEffect } from 'preact/hooks';
import { readRecord, type DataSource } from '../../data/source.js';
import { loadSuite, type ListedRun } from '../../data/suite.js';
import { useAsync } from '../../data/use-async.js';
import { Failure, Loading } from '../../ui/status.js';
import { Artifacts } from './artifacts.js';
import { Banners } from './banners.js';
import { Debug } from './debug.js';
import { FinalDiff } from './diff-view.js';
import { FinalResponse } from './final-response.js';
import { Header } from './header.js';
import { JudgeCard } from './judge-card.js';
import { RunPicker } from './run-picker.js';
import { isObj, obj, str } from '../../data/safe.js';
import { Scorers } from './scorers.js';
import { Guarded } from './section.js';
import { SeedPanel } from './seed-panel.js';
import { StructureCard } from './structure-card.js';
import { Timeline } from './timeline-view.js';
import { Transcript } from './transcript.js';
import { WorldState } from './world-state.js';
import './trace.css';

/**
 * Every run of the record's task (and agent) at its suite's commit, newest first, for the run
 * picker. The picker is a convenience: without an index (a one-file report of one run) the
 * trace still opens.
 */
async function siblingRuns(source: DataSource, suiteRun: string, r: RunRecord) {
  try {
    const suite = await loadSuite(source, suiteRun);
    const agent = str(obj(r.agent).name) ?? '';
    const task = suite.tasks.find((t) => t.task_id === r.task_id && t.agent === agent);
    return task?.runs ?? [];
  } catch {
    return [] as ListedRun[];
  }
}

async function loadRecord(source: DataSource, suiteRun: string, run: string) {
  const record = await readRecord(source, suiteRun, run);
  if (!isObj(record)) throw new Error(`runs/${suiteRun}/${run}.json is not a run record`);
  performance.mark?.('trace:record');
  return record;
}

/** The picker loads apart from the record: the trace never waits for the suite's files. */
function Picker(props: { source: DataSource; suiteRun: string; record: RunRecord }) {
  const runs = useAsync(
    () => siblingRuns(props.source, props.suiteRun, props.record),
    [props.suiteRun, props.record],
  );
  return runs.state === 'ready' ? <RunPicker runs={runs.value} current={props.record} /> : null;
}

/** Marks the first paint of a loaded trace, for the bench (`trace:record` to `trace:shown`). */
function useShownMark(ready: boolean) {
  useEffect(() => {
    if (ready) requestAnimationFrame(() => performance.mark?.('trace:shown'));
  }, [ready]);
}

/** The Agent Trace of one run record, top to bottom as seed 001 lists it. */
export function Trace(props: {
  source: DataSource;
  suiteRun: string;
  run: string;
  params: URLSearchParams;
}) {
  const data = useAsync(
    () => loadRecord(props.source, props.suiteRun, props.run),
    [props.suiteRun, props.run],
  );
  useShownMark(data.state === 'ready');
  if (data.state === 'loading') return <Loading what="the trace" />;
  if (data.state === 'error') return <Failure error={data.error} />;
  const r = data.value;
  return (
    <div class="trace" data-page="trace">
      <Guarded name="Run picker">
        <Picker source={props.source} suiteRun={props.suiteRun} record={r} />
      </Guarded>
      <Guarded name="Header">
        <Header record={r} suiteRun={props.suiteRun} />
      </Guarded>
      <Guarded name="Banners">
        <Banners record={r} />
      </Guarded>
      <Guarded name="Judge verdict">
        <JudgeCard record={r} />
      </Guarded>
      <Guarded name="Task seed">
        <SeedPanel record={r} />
      </Guarded>
      {r.multi_agent ? (
        <Guarded name="Multi-agent structure">
          <StructureCard record={r} />
        </Guarded>
      ) : null}
      <Guarded name="Trajectory">
        <Timeline record={r} />
      </Guarded>
      <Guarded name="World state">
        <WorldState record={r} />
      </Guarded>
      <Guarded name="Final response">
        <FinalResponse record={r} />
      </Guarded>
      <Guarded name="Final diff">
        <FinalDiff diff={r.diff} />
      </Guarded>
      <Artifacts source={props.source} suiteRun={props.suiteRun} record={r} />
      <Guarded name="Scorers">
        <Scorers record={r} />
      </Guarded>
      {r.multi_turn ? (
        <Guarded name="Session">
          <Transcript record={r} />
        </Guarded>
      ) : null}
      <Guarded name="Debug">
        <Debug record={r} />
      </Guarded>
    </div>
  );
}
