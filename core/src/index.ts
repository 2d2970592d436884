// The engine's front door: action/, app/, bench/ and the CLI's entry import the engine from this
// module only, and no module inside core/src imports it (npm run check:boundaries holds both).
// Exports are named, one block per concern, so the public surface is read here.

// Config as code: load and validate a config tree; errors name file:line:column.
export { loadConfig } from './config/load.js';
export { ConfigError, type ConfigIssue } from './config/errors.js';
export { describeAgentChange } from './config/describe.js';
export type { AgentConfig } from './config/types.js';

// Suite runs: which tasks and shard a job takes, the run itself and the events it emits.
export { parseShard, parseTaskFilter, type Shard } from './pipeline/select.js';
export { runSuites, type RunEvent, type SuiteResult } from './pipeline/run-suite.js';
export { withCliInstall } from './pipeline/prepare.js';

// Runbook runs: a markdown mission for a coding CLI in a sandbox, launched from memory (the
// server's chat-completions endpoint) through the same engine path as `gauntlet run`.
export { runRunbook, RunbookNotStarted, type RunbookLaunch } from './pipeline/runbook-run.js';
export { CLI_AGENTS, isCliAgentName } from './config/cli-agents.js';
export type { Mission, Upload } from './config/runbook.js';
export { APP, APP_RESULTS, APP_UPLOADS } from './session/session.js';

// Sandboxes and their images: the Docker driver, image builds and the image archive cache.
export { DockerDriver } from './sandbox/docker.js';
export {
  BASE_LABEL,
  baseImageKey,
  DEFAULT_BASE_IMAGE,
  ImageManager,
  isOwnBase,
  KEY_LABEL,
  wantedBaseVersion,
} from './sandbox/images.js';
export {
  cacheKeyOf,
  ImageCache,
  type ImageArchiveStore,
  type RestoreOutcome,
  type SaveOutcome,
} from './sandbox/image-cache.js';
export { DirectoryImageStore } from './sandbox/image-store-dir.js';
export { inspectImage, type CachedImage } from './sandbox/image-archive.js';

// Results: the stored records, the results branch, shard merges, comparison, gates, redaction.
export type {
  ArtifactEntry,
  ErrorClass,
  JudgeCard,
  LedgerOp,
  LedgerState,
  ModelCall,
  MultiTurnRecord,
  Provenance,
  RowVerdict,
  RunRecord,
  RunStatus,
  ScorerResult,
  StructureCard,
  SuiteManifest,
  ToolCallRecord,
  ToolSource,
  TraceEvent,
  TrajectoryStep,
  TranscriptEntry,
} from './results/record.js';
export { ERROR_CLASSES, SOURCE_BADGES, sourceBadge } from './results/record.js';
export { GitBranchStore, type GitBranchOptions } from './results/git-branch.js';
// Artifacts: what an agent leaves under /app/results, collected, capped and stored by the record.
export {
  artifactCaps,
  collectArtifacts,
  DEFAULT_ARTIFACT_CAPS,
  RESULTS_DIR,
  type ArtifactCaps,
  type CollectedArtifacts,
} from './workspace/artifacts.js';
export { ARTIFACTS_DIR, storedName } from './results/artifact-files.js';
export { entryOf, type BranchIndex, type IndexEntry } from './results/suite-index.js';
export { mergeShards, type ShardResult } from './results/merge.js';
export {
  comparableRow,
  compareRuns,
  fisherExact,
  type ComparableRun,
  type Change,
  type Comparison,
  type Tally,
  type TaskComparison,
} from './results/compare.js';
export {
  classifyConfirmations,
  flipsToConfirm,
  selectiveConfirmationP,
  type Confirmation,
} from './results/confirmation.js';
export { holmAdjust, reservedHolm } from './results/holm.js';
export { pairedPassRateTest, type PairedTally, type PairedTest } from './results/paired-test.js';
export { baseEntries, suiteView, type SuiteView } from './results/suite-view.js';
export { planConfirmation, type ConfirmOptions } from './pipeline/confirm.js';
export { applyExtraGates } from './results/gates.js';
export { summarise } from './results/summary.js';
export { Redactor } from './results/redact.js';

// Reports, sized to GitHub's limits: check runs, the PR comment, the job summary.
export {
  batches,
  CHECK_LIMITS,
  renderCheckRun,
  RERUN_ALL,
  RERUN_FAILED,
  type CheckAnnotation,
} from './report/check-run.js';
export {
  COMMENT_MARKER,
  renderPrComment,
  traceKey,
  type SuiteComparison,
} from './report/pr-comment.js';
export {
  comparisonLinks,
  viewerBase,
  viewerLinks,
  type ViewerLinks,
} from './report/viewer-links.js';
export { renderJobSummary, type SummaryPart } from './report/job-summary.js';
export {
  chip,
  completionWarning,
  judgeAgreement,
  judgeVerdict,
  ZERO_PROXY_CALLS_CAUSES,
} from './report/format.js';
export { cutBytes } from './report/markdown.js';

// The viewer (issue #14) on the Node side: the built assets, the loopback server of
// `gauntlet view`, the one-file HTML report.
export {
  checkViewerDir,
  readViewerAssets,
  VIEWER_DIR_ENV,
  VIEWER_FILES,
  viewerDir,
  ViewerNotBuilt,
  viewerSiteFiles,
  type ViewerAssets,
  type ViewerFile,
} from './viewer/assets.js';
export {
  ResultsDirMissing,
  serveViewer,
  VIEWER_CSP,
  type ViewServer,
  type ViewServerOptions,
} from './viewer/serve.js';
export {
  collectReport,
  DATA_ELEMENT_ID,
  embedJson,
  HTML_REPORT_WARN_BYTES,
  inlineViewer,
  ReportError,
  writeHtmlReport,
  type HtmlReportResult,
  type ReportData,
} from './viewer/html-report.js';

// gauntlet serve (issue #15): the OpenAI-compatible chat-completions endpoint (runbook runs with a
// `gauntlet` block, a passthrough to the model without one), its token rule and its limits.
export { startServe, type ServeHandle, type ServeOptions } from './server/server.js';
export { isLoopback, MIN_TOKEN_LENGTH, ServeRefused, TOKEN_ENV } from './server/auth.js';
export { SERVE_LIMITS, type ServeLimits } from './server/transport.js';
export { checkRequest, type RunbookBlock } from './server/request-schema.js';
export type { ApiErrorBody } from './server/errors.js';
export type { LaunchEvent, Launcher, RunbookOptions } from './server/launch.js';
export type { PassthroughEntry } from './server/call-log.js';

// The runner API (seed 003): open sandboxes for agents of a config tree, run turns, resume a
// CLI's session, hand files between sandboxes, keep a branch per agent.
export {
  Runner,
  RunnerSandbox,
  type OpenSandboxOptions,
  type RunnerOptions,
  type RunTurnOptions,
  type TurnResult,
} from './runner/runner.js';

// Host utilities the entry points share.
export { actionsLogLine } from './util/untrusted-text.js';
export { packageRoot } from './util/paths.js';
export { sweepTempDirs } from './util/temp.js';

// The command line (bin/gauntlet.js): argv in, exit code out.
export { main as cliMain } from './cli/main.js';
