import { execFileSync } from 'node:child_process';

/**
 * Whether Docker-backed tests can run. Under CI a missing engine throws (the tests must not
 * silently skip there); on a laptop without Docker they skip, and scripts/test.sh says so loudly.
 */
export function dockerReady(): boolean {
  let ok = false;
  try {
    execFileSync('docker', ['image', 'inspect', 'gauntlet-base:latest'], { stdio: 'ignore' });
    ok = true;
  } catch {
    ok = false;
  }
  if (!ok && process.env.CI === 'true')
    throw new Error(
      'CI=true but no Docker engine with gauntlet-base:latest: run scripts/ensure-docker.sh',
    );
  if (!ok && !process.env.GAUNTLET_SKIP_DOCKER)
    throw new Error(
      'no Docker engine or base image; run scripts/ensure-docker.sh, or set GAUNTLET_SKIP_DOCKER=1 to skip the sandbox tests',
    );
  return ok;
}
