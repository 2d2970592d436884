// The engine's import boundaries: one front door, a platform-free core, no cycles between core
// folders. Checked by `npm run check:boundaries` (scripts/check-boundaries.mjs, which adds the
// folder-cycle rule) and in CI (scripts/test.sh).
// Type-only imports count like any other: a type shared both ways still ties two folders.

/** Where GitHub's platform packages resolve to (or their bare names, when unresolvable). */
const PLATFORM = '(^|/)(node_modules/)?(@actions/|@octokit/|probot(/|$))';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'entry-points-use-the-front-door',
      comment:
        'action/ and app/ import the engine from core/src/index.ts only. Test-support helpers ' +
        'may reach core/src/test-support and store internals directly.',
      severity: 'error',
      from: { path: '^(action|app)/src/', pathNot: '^(action|app)/src/test-support/' },
      to: { path: '^core/', pathNot: ['^core/src/index\\.ts$', '^core/src/test-support/'] },
    },
    {
      name: 'core-is-platform-free',
      comment:
        'core/src imports no GitHub platform package (@actions/*, probot, @octokit/*): platform ' +
        'I/O lives in action/ and app/, which hand the engine plain data.',
      severity: 'error',
      from: { path: '^core/src/' },
      to: { path: PLATFORM },
    },
    {
      name: 'core-does-not-import-entry-points',
      comment: 'The engine is imported by the entry points, never the other way round.',
      severity: 'error',
      from: { path: '^core/src/' },
      to: { path: '^(action|app|bench|bin)/' },
    },
    {
      name: 'core-does-not-import-its-front-door',
      comment:
        'Inside core, modules import each other directly: importing core/src/index.ts from ' +
        'within would make every folder depend on every other.',
      severity: 'error',
      from: { path: '^core/src/', pathNot: ['^core/src/index\\.ts$', '\\.test\\.ts$'] },
      to: { path: '^core/src/index\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Parsed with TypeScript 6's compiler API (`typescript` in devDependencies is the TS 6
    // package; `tsc` is TS 7, installed as @typescript/native, which has no such API).
    // Type-only imports are kept (they vanish from the compiled JavaScript but still count).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
