import { extname } from 'node:path';

/** Types by extension: what an agent's report usually is. Anything else is sniffed. */
const BY_EXTENSION: Record<string, string> = {
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.md': 'text/markdown',
  '.csv': 'text/csv',
  '.tsv': 'text/tab-separated-values',
  '.json': 'application/json',
  '.jsonl': 'application/x-ndjson',
  '.jsonld': 'application/ld+json',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.xml': 'application/xml',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.svg': 'image/svg+xml',
  '.py': 'text/x-python',
  '.js': 'text/javascript',
  '.ts': 'text/x-typescript',
  '.sh': 'text/x-shellscript',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.tar': 'application/x-tar',
  '.parquet': 'application/vnd.apache.parquet',
};

/** Magic numbers of the binary formats an agent plausibly writes. */
const MAGIC: [number[], string][] = [
  [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'image/png'],
  [[0xff, 0xd8, 0xff], 'image/jpeg'],
  [[0x47, 0x49, 0x46, 0x38], 'image/gif'],
  [[0x25, 0x50, 0x44, 0x46, 0x2d], 'application/pdf'],
  [[0x50, 0x4b, 0x03, 0x04], 'application/zip'],
  [[0x1f, 0x8b], 'application/gzip'],
];

/**
 * Whether bytes are text: valid UTF-8 with no NUL. Text is what redaction can rewrite; anything
 * else is binary and is refused, not rewritten, when it holds a secret.
 */
export function isText(data: Buffer, partial = false): boolean {
  if (data.includes(0)) return false;
  try {
    // A head cut mid-character is still text: `stream` leaves the last sequence open.
    new TextDecoder('utf-8', { fatal: true }).decode(data, { stream: partial });
    return true;
  } catch {
    return false;
  }
}

/** A file's content type: by its extension, then sniffed from its first bytes. */
export function contentTypeOf(path: string, head: Buffer | undefined): string {
  const known = BY_EXTENSION[extname(path).toLowerCase()];
  if (known) return known;
  if (!head?.length) return 'application/octet-stream';
  for (const [magic, type] of MAGIC)
    if (head.length >= magic.length && magic.every((b, i) => head[i] === b)) return type;
  if (
    head.subarray(0, 4).toString('latin1') === 'RIFF' &&
    head.subarray(8, 12).toString() === 'WEBP'
  )
    return 'image/webp';
  return isText(head.subarray(0, 4096), true) ? 'text/plain' : 'application/octet-stream';
}

/** Types the viewer previews as text (a bounded preview, never rendered as a page). */
export function isTextType(type: string): boolean {
  return (
    type.startsWith('text/') ||
    /^application\/(json|x-ndjson|ld\+json|yaml|xml)$/.test(type) ||
    type === 'image/svg+xml'
  );
}
