import { COMMENT_MARKER } from '../../core/src/index.js';
import type { Octokit } from './types.js';

/**
 * Updates gauntlet's one comment on a PR, or creates it. A comment counts only if it carries
 * the marker AND was written by the App itself: anyone can paste the marker into a comment.
 */
export async function upsertStickyComment(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  issue: number,
  body: string,
  botLogin: string,
): Promise<'created' | 'updated'> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    ...repo,
    issue_number: issue,
    per_page: 100,
  });
  const mine = comments.find((c) => c.user?.login === botLogin && c.body?.includes(COMMENT_MARKER));
  if (mine) {
    await octokit.rest.issues.updateComment({ ...repo, comment_id: mine.id, body });
    return 'updated';
  }
  await octokit.rest.issues.createComment({ ...repo, issue_number: issue, body });
  return 'created';
}
