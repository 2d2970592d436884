import * as core from '@actions/core';
import { DockerDriver, sweepTempDirs } from '../../core/src/index.js';

/**
 * The post step: runs even when the job is cancelled. The main step's process is gone by then,
 * so every sandbox labelled with its pid is a leftover, and the sweep removes it.
 */
export async function cleanup(): Promise<void> {
  try {
    const n = await new DockerDriver().sweep();
    core.info(
      n
        ? `gauntlet: removed ${n} leftover sandbox container(s)`
        : 'gauntlet: no leftover sandbox containers',
    );
    const dirs = await sweepTempDirs();
    if (dirs) core.info(`gauntlet: removed ${dirs} leftover temp dir(s)`);
  } catch (e) {
    core.warning(`gauntlet cleanup could not reach Docker: ${(e as Error).message}`);
  }
}
