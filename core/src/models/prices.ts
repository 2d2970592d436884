/**
 * USD per million tokens. Public list prices; a project overrides or extends them in
 * gauntlet.yaml `prices`.
 */
export interface Price {
  input_per_mtok: number;
  output_per_mtok: number;
}

const p = (input: number, output: number): Price => ({
  input_per_mtok: input,
  output_per_mtok: output,
});

/**
 * List prices by model id. Every id is named: a price never passes from one model to another
 * by a shared prefix, because successive generations of one family are priced differently
 * (Opus 4.1 at $15/$75, Opus 4.5 at $5/$25, Opus 5.5 at $4/$20; GPT-5 at $1.25/$10, GPT-5.2
 * at $1.75/$14). A model missing here costs "unknown" until a project prices it.
 *
 * Anthropic: the model pages of platform.claude.com/docs (Opus 5.5 also checked against a real
 * Claude Code run: core/src/trajectory/fixtures/claude-code-fix-add.jsonl). Haiku 5.5 is tiered
 * by prompt length and Fable is not here: price them in gauntlet.yaml. OpenAI: the model pages
 * of developers.openai.com (gpt-5.1-codex as listed by OpenRouter). Google: ai.google.dev.
 */
const LIST_PRICES = new Map<string, Price>([
  ['claude-opus-5-5', p(4, 20)],
  ['claude-opus-5', p(5, 25)],
  ['claude-opus-4-8', p(5, 25)],
  ['claude-opus-4-7', p(5, 25)],
  ['claude-opus-4-6', p(5, 25)],
  ['claude-opus-4-5', p(5, 25)],
  ['claude-opus-4-1', p(15, 75)],
  ['claude-opus-4-0', p(15, 75)],
  ['claude-opus-4', p(15, 75)],
  ['claude-3-opus', p(15, 75)],
  ['claude-sonnet-5-5', p(2, 10)],
  ['claude-sonnet-5', p(2, 10)],
  ['claude-sonnet-4-6', p(3, 15)],
  ['claude-sonnet-4-5', p(3, 15)],
  ['claude-sonnet-4-0', p(3, 15)],
  ['claude-sonnet-4', p(3, 15)],
  ['claude-3-7-sonnet', p(3, 15)],
  ['claude-3-5-sonnet', p(3, 15)],
  ['claude-3-sonnet', p(3, 15)],
  ['claude-haiku-4-5', p(1, 5)],
  ['claude-3-5-haiku', p(0.8, 4)],
  ['claude-3-haiku', p(0.25, 1.25)],
  ['gpt-4o', p(2.5, 10)],
  ['gpt-4o-mini', p(0.15, 0.6)],
  ['gpt-4.1', p(2, 8)],
  ['gpt-4.1-mini', p(0.4, 1.6)],
  ['gpt-5', p(1.25, 10)],
  ['gpt-5-mini', p(0.25, 2)],
  ['gpt-5-codex', p(1.25, 10)],
  ['gpt-5.1', p(1.25, 10)],
  ['gpt-5.1-codex', p(1.25, 10)],
  ['o3-mini', p(1.1, 4.4)],
  ['o4-mini', p(1.1, 4.4)],
  ['gemini-2.5-pro', p(1.25, 10)],
  ['gemini-2.5-flash', p(0.3, 2.5)],
  ['gemini-2.5-flash-lite', p(0.1, 0.4)],
]);

/** A dated snapshot or alias of a listed id: claude-haiku-4-5-20251001, gpt-4o-2024-08-06. */
const SNAPSHOT = /-(?:\d{8}|\d{4}-\d{2}-\d{2}|latest)$/;

export class PriceTable {
  constructor(private readonly overrides: Record<string, Price> = {}) {}

  /** The price of exactly this model (or a dated snapshot of it); undefined when unknown. */
  lookup(model: string): Price | undefined {
    const bare = model.replace(/^(anthropic|openai|gemini)\//, '');
    for (const id of [model, bare]) {
      if (Object.hasOwn(this.overrides, id)) return this.overrides[id];
    }
    return LIST_PRICES.get(bare) ?? LIST_PRICES.get(bare.replace(SNAPSHOT, ''));
  }

  /** Whether cost() is a price or the 0 of an unknown model. */
  knows(model: string): boolean {
    return this.lookup(model) !== undefined;
  }

  /**
   * Cost in USD; 0 for an unknown model, so totals stay numbers. A caller that shows a cost
   * asks knows() and marks the unknown ones, rather than show $0 as if it were free.
   */
  cost(model: string, input: number, output: number): number {
    const p = this.lookup(model);
    if (!p) return 0;
    return (input * p.input_per_mtok + output * p.output_per_mtok) / 1_000_000;
  }
}
