/** Reading OpenAI chat messages: content is a string or an array of parts. */

interface Message {
  role?: unknown;
  content?: unknown;
}

/** The text of a message's content: a string, or its text parts joined (images are skipped). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content
      .map((p) =>
        typeof p === 'string' ? p : p && typeof p.text === 'string' ? (p.text as string) : '',
      )
      .filter(Boolean)
      .join('\n');
  return '';
}

/** The system and developer messages' text, in order, blank-line separated. */
export function systemText(messages: Message[]): string {
  return messages
    .filter((m) => m.role === 'system' || m.role === 'developer')
    .map((m) => contentText(m.content).trim())
    .filter(Boolean)
    .join('\n\n');
}

/** The newest user message's text, or '' when there is none. */
export function lastUserText(messages: Message[]): string {
  for (let i = messages.length - 1; i >= 0; i--)
    if (messages[i].role === 'user') return contentText(messages[i].content).trim();
  return '';
}
