import type { Finding } from './doctor.js';

/** The Node version gauntlet runs on (package.json engines: >= 20). */
export function hostFindings(version = process.versions.node): Finding[] {
  const major = Number(version.split('.')[0]);
  if (major >= 20) return [{ check: 'node', level: 'ok', detail: `Node ${version}` }];
  return [
    {
      check: 'node',
      level: 'blocker',
      detail: `Node ${version}; gauntlet needs Node 20 or later`,
      fix: 'install Node 20 or later (for example nvm install 20)',
    },
  ];
}
