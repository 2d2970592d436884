import { ConfigError, type ConfigIssue } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import { makeTree, project } from './tree.js';

/** The config issues a tree (with the passing-judge project) yields; [] when it loads. */
export async function configIssues(files: Record<string, string>): Promise<ConfigIssue[]> {
  const root = await makeTree({ ...project(), ...files });
  try {
    await loadConfig(root);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  return [];
}
