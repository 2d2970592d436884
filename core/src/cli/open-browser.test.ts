import { describe, expect, it } from 'vitest';
import { browserCommand } from './open-browser.js';

const URL = 'http://127.0.0.1:1234/viewer/';

describe('opening a browser', () => {
  it('opens one on a desktop, by platform', () => {
    expect(browserCommand(URL, { DISPLAY: ':0' }, 'linux')).toEqual({
      cmd: 'xdg-open',
      args: [URL],
    });
    expect(browserCommand(URL, { WAYLAND_DISPLAY: 'wayland-0' }, 'linux')?.cmd).toBe('xdg-open');
    expect(browserCommand(URL, {}, 'darwin')).toEqual({ cmd: 'open', args: [URL] });
    expect(browserCommand(URL, { CI: 'false', DISPLAY: ':0' }, 'linux')?.cmd).toBe('xdg-open');
  });

  it('never in CI, on Linux without a display, or on a Mac over SSH', () => {
    expect(browserCommand(URL, { CI: 'true', DISPLAY: ':0' }, 'linux')).toBeUndefined();
    expect(browserCommand(URL, { CI: '1' }, 'darwin')).toBeUndefined();
    expect(browserCommand(URL, {}, 'linux')).toBeUndefined();
    expect(browserCommand(URL, { SSH_CONNECTION: 'a b c d' }, 'darwin')).toBeUndefined();
  });
});
