import { join } from 'node:path';
import * as core from '@actions/core';
import { writeHtmlReport } from '../../core/src/index.js';

/**
 * The job's suite runs as one HTML file (the viewer with the records inside) for
 * actions/upload-artifact: only people who can see the workflow run can open it, which is the
 * private way to browse results (a Pages site can be public). A report that cannot be written
 * is a warning: the records and the branch are already safe.
 */
export async function writeJobReport(
  resultsDir: string,
  suiteRunIds: string[],
): Promise<string | undefined> {
  if (!suiteRunIds.length) return undefined;
  try {
    const r = await writeHtmlReport({
      resultsDir,
      file: join(resultsDir, 'gauntlet-report.html'),
      suiteRunIds,
    });
    for (const w of r.warnings) core.warning(`HTML report: ${w}`);
    core.info(`HTML report: ${r.file} (${(r.bytes / 1e6).toFixed(1)} MB)`);
    return r.file;
  } catch (e) {
    core.warning(`no HTML report: ${(e as Error).message}`);
    return undefined;
  }
}
