import { describe, expect, it } from 'vitest';
import { checkFetchUrl, isBlockedAddress } from './ssrf.js';

describe('fetch URL guard', () => {
  it.each([
    ['http://example.com/repo.git', /only https/],
    ['ssh://git@example.com/repo.git', /only https/],
    ['file:///etc/passwd', /only https/],
    ['https://user:pass@example.com/r.git', /credentials/],
    ['https://localhost/r.git', /local name|loopback/],
    ['https://127.0.0.1/r.git', /private, loopback/],
    ['https://10.1.2.3/r.git', /private/],
    ['https://169.254.169.254/latest/meta-data', /link-local/],
    ['https://[::1]/r.git', /loopback/],
    ['https://[::ffff:127.0.0.1]/r.git', /loopback/],
    ['https://0.0.0.0/r.git', /private/],
    ['https://metadata.google.internal/x', /local name/],
    ['not a url', /not a URL/],
  ])('refuses %s', async (url, msg) => {
    await expect(checkFetchUrl(url)).rejects.toThrow(msg);
  });

  it('lets an explicitly allowed private host through (internal GitHub Enterprise)', async () => {
    await expect(
      checkFetchUrl('https://127.0.0.1/r.git', { allowHosts: ['127.0.0.1'] }),
    ).resolves.toMatchObject({ address: '127.0.0.1' });
  });

  it('classifies addresses', () => {
    expect(isBlockedAddress('8.8.8.8')).toBe(false);
    expect(isBlockedAddress('2606:4700::1111')).toBe(false);
    expect(isBlockedAddress('fd00::1')).toBe(true);
    expect(isBlockedAddress('172.20.0.5')).toBe(true);
  });
});
