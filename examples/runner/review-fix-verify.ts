/**
 * The runner API (seed 003): reviewer -> fixer -> verifier, three agents taking turns in one
 * sandbox on one workspace, handing over through their outputs and the files they leave.
 *   npm run -s build && node build/examples/runner/review-fix-verify.js
 * Offline: the scripted model (.gauntlet/models/scripted.yaml) drives the real Claude Code.
 */
import { join } from 'node:path';
import { packageRoot, Runner } from '../../core/src/index.js';

const runner = await Runner.load({ root: join(packageRoot(), 'examples/runner') });
try {
  const sandbox = await runner.openSandbox({
    agents: ['reviewer', 'fixer', 'verifier'],
    scenario: 'calc',
  });
  const review = await runner.run('reviewer', {
    sandbox,
    prompt: 'Review calc.py for risk. Do not edit files.',
  });
  console.log(`review (turn ${review.turn}, ${review.status}): ${review.output}`);
  const fix = await runner.run('fixer', {
    sandbox,
    prompt: `Use this review and fix the smallest safe issue:\n\n${review.output}`,
  });
  console.log(`fix (turn ${fix.turn}, ${fix.status}): ${fix.output}`);
  console.log(`its diff:\n${fix.diff ?? '(none)'}`);
  const verify = await runner.run('verifier', {
    sandbox,
    prompt: 'python3 -m pytest -q -p no:cacheprovider',
  });
  console.log(`verify (turn ${verify.turn}, ${verify.status}): ${verify.output}`);
  console.log(`the session's cumulative diff:\n${(await sandbox.diff()) ?? '(none)'}`);
  const ok =
    review.diff === null && verify.status === 'completed' && /passed/.test(verify.output ?? '');
  console.log(ok ? 'review -> fix -> verify: PASS' : 'review -> fix -> verify: FAIL');
  process.exitCode = ok ? 0 : 1;
} finally {
  await runner.close();
}
