import type { AgentConfig } from '../config/types.js';
import { failure } from '../results/run-failure.js';
import { ImageError, type ImageManager } from '../sandbox/images.js';

/** The agent's image, built or reused by content hash; a failed build fails its runs early. */
export async function agentImage(images: ImageManager, config: AgentConfig): Promise<string> {
  try {
    return (await images.build(config)).tag;
  } catch (e) {
    if (e instanceof ImageError) throw failure('internal_error', e.code, e.message, e.logTail);
    throw e;
  }
}
