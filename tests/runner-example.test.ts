import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerReady } from '../core/src/test-support/docker.js';
import { packageRoot } from '../core/src/util/paths.js';

const CLAUDE = '.cache/claude/node_modules/@anthropic-ai/claude-code-linux-x64/claude';

function claudeReady(): boolean {
  if (existsSync(join(packageRoot(), CLAUDE))) return true;
  if (process.env.CI === 'true')
    throw new Error(`missing ${CLAUDE}: scripts/install-tools.sh installs it`);
  console.warn('!!! Claude Code not installed (.cache/): the runner example test is skipped');
  return false;
}

describe.skipIf(!dockerReady() || !claudeReady())('examples/runner, as a user runs it', () => {
  it('reviewer -> fixer -> verifier share one sandbox and one cumulative diff', () => {
    const out = execFileSync(
      process.execPath,
      [join(packageRoot(), 'build/examples/runner/review-fix-verify.js')],
      { encoding: 'utf8', timeout: 240_000 },
    );
    expect(out).toContain('review (turn 1, completed): Risk: add() returns a - b');
    expect(out).toContain('fix (turn 2, completed): Changed add() to return a + b');
    expect(out).toMatch(/verify \(turn 3, completed\): [\s\S]*1 passed/);
    const cumulative = out.slice(out.indexOf("the session's cumulative diff:"));
    expect(cumulative).toContain('+    return a + b');
    expect(cumulative).not.toContain('__pycache__');
    expect(out).toContain('review -> fix -> verify: PASS');
  }, 300_000);
});
