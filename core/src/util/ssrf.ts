import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Addresses no agent-code or workspace fetch may reach: private, loopback, link-local, ULA, etc. */
const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const)
  blocked.addSubnet(net, bits, 'ipv6');

export function isBlockedAddress(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return blocked.check(mapped[1], 'ipv4');
  const family = isIP(ip);
  if (family === 0) return true;
  return blocked.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

export class UrlRefused extends Error {}

/**
 * Checks an https URL for a code or workspace fetch and resolves its host once, so the
 * caller can pin the connection to the checked address (no DNS-rebinding window).
 */
export async function checkFetchUrl(
  raw: string,
  opts: { allowHosts?: string[] } = {},
): Promise<{ url: URL; host: string; port: number; address: string }> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UrlRefused(`not a URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'https:')
    throw new UrlRefused(`only https:// URLs are allowed (got ${url.protocol.replace(':', '')})`);
  if (url.username || url.password)
    throw new UrlRefused(
      'credentials in the URL (user:pass@) are not allowed; use token: { secret: NAME }',
    );
  if (url.hash) throw new UrlRefused('a URL fragment is not allowed');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 443);
  const allowed = opts.allowHosts?.includes(host);
  // Checked before any DNS query, so a local name never leaves the machine.
  if (!allowed && /^(localhost|.*\.localhost|.*\.local|.*\.internal)\.?$/i.test(host))
    throw new UrlRefused(`host ${host} is a local name; private and loopback hosts are refused`);
  let address: string;
  if (isIP(host)) address = host;
  else {
    try {
      address = (await lookup(host, { verbatim: true })).address;
    } catch {
      throw new UrlRefused(`cannot resolve host ${host}`);
    }
  }
  if (!allowed) {
    if (isBlockedAddress(address))
      throw new UrlRefused(
        `host ${host} resolves to ${address}, a private, loopback or link-local address; refused`,
      );
  }
  return { url, host, port, address };
}
