import { spawn } from 'node:child_process';

/**
 * Which command opens a URL in the user's browser here, or undefined when there is no browser
 * to open: never under CI, never over SSH without a display, never on Linux without DISPLAY or
 * WAYLAND_DISPLAY (xdg-open would fall back to a text browser in the terminal we print to).
 */
export function browserCommand(
  url: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): { cmd: string; args: string[] } | undefined {
  if (env.CI && env.CI !== 'false') return undefined;
  if (platform === 'darwin') return env.SSH_CONNECTION ? undefined : { cmd: 'open', args: [url] };
  if (platform === 'win32') return { cmd: 'explorer.exe', args: [url] };
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return undefined;
  return { cmd: 'xdg-open', args: [url] };
}

/** Opens the URL when there is a browser; true when an opener was started. Failures are quiet. */
export function openBrowser(url: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const c = browserCommand(url, env);
  if (!c) return false;
  try {
    const child = spawn(c.cmd, c.args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}
