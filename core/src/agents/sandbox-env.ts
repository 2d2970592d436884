/** Port the in-sandbox forwarder listens on; each sandbox has its own network namespace. */
export const PROXY_PORT = 8787;

/** The environment every sandboxed agent sees: the gateway, its aliases, and model base URLs. */
export function sandboxEnv(token: string, taskFile: string): Record<string, string> {
  const proxy = `http://127.0.0.1:${PROXY_PORT}`;
  return {
    GAUNTLET_PROXY_URL: proxy,
    GAUNTLET_RUN_TOKEN: token,
    GAUNTLET_TASK_FILE: taskFile,
    GAUNTLET_PROXY_PORT: String(PROXY_PORT),
    PIPELINES_ODYSSEY_PROXY_URL: proxy,
    PIPELINES_RUN_TOKEN: token,
    PIPELINES_TASK_FILE: taskFile,
    // SDKs pointed at the gateway: the run token stands in for the provider key, which stays on the host.
    ANTHROPIC_BASE_URL: proxy,
    ANTHROPIC_API_KEY: token,
    OPENAI_BASE_URL: `${proxy}/v1`,
    OPENAI_API_KEY: token,
    GOOGLE_GEMINI_BASE_URL: proxy,
    GEMINI_API_KEY: token,
  };
}
