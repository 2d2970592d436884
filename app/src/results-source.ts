import type { BranchIndex, RunRecord, SuiteManifest } from '../../core/src/index.js';
import type { Octokit } from './types.js';

/** The results branch read through the REST API with the installation token. */
export class ApiResultsSource {
  constructor(
    private readonly octokit: Octokit,
    private readonly repo: { owner: string; repo: string },
    readonly branch: string,
  ) {}

  private async raw(path: string): Promise<string | undefined> {
    try {
      const r = await this.octokit.request('GET /repos/{owner}/{repo}/contents/{path}', {
        ...this.repo,
        path,
        ref: this.branch,
        headers: { accept: 'application/vnd.github.raw+json' },
      });
      return typeof r.data === 'string' ? r.data : JSON.stringify(r.data);
    } catch (e) {
      if ((e as { status?: number }).status === 404) return undefined;
      throw e;
    }
  }

  async index(): Promise<BranchIndex | undefined> {
    const text = await this.raw('index.json');
    return text ? (JSON.parse(text) as BranchIndex) : undefined;
  }

  async manifest(id: string): Promise<SuiteManifest | undefined> {
    const text = await this.raw(`runs/${id}/manifest.json`);
    return text ? (JSON.parse(text) as SuiteManifest) : undefined;
  }

  async suiteRun(
    id: string,
  ): Promise<{ manifest: SuiteManifest; records: RunRecord[] } | undefined> {
    const manifest = await this.manifest(id);
    if (!manifest) return undefined;
    const records: RunRecord[] = [];
    for (const r of manifest.runs) {
      const t = await this.raw(`runs/${id}/${r.id}.json`);
      if (t) records.push(JSON.parse(t) as RunRecord);
    }
    return { manifest, records };
  }

  treeUrl(serverUrl: string, id: string): string {
    return `${serverUrl}/${this.repo.owner}/${this.repo.repo}/tree/${this.branch}/runs/${id}`;
  }
}
