/** USD per million tokens. Public list prices; a project overrides or extends them in gauntlet.yaml `prices`. */
export interface Price {
  input_per_mtok: number;
  output_per_mtok: number;
}

const DEFAULT_PRICES: [RegExp, Price][] = [
  [/^claude-opus-4-[15]/, { input_per_mtok: 5, output_per_mtok: 25 }],
  [/^claude-(3-)?opus/, { input_per_mtok: 15, output_per_mtok: 75 }],
  [/^claude-opus-4/, { input_per_mtok: 15, output_per_mtok: 75 }],
  [/^claude-(sonnet|3-[57]-sonnet|3-sonnet)/, { input_per_mtok: 3, output_per_mtok: 15 }],
  [/^claude-haiku-4/, { input_per_mtok: 1, output_per_mtok: 5 }],
  [/^claude-3-5-haiku/, { input_per_mtok: 0.8, output_per_mtok: 4 }],
  [/^claude-3-haiku/, { input_per_mtok: 0.25, output_per_mtok: 1.25 }],
  [/^gpt-4o-mini/, { input_per_mtok: 0.15, output_per_mtok: 0.6 }],
  [/^gpt-4o/, { input_per_mtok: 2.5, output_per_mtok: 10 }],
  [/^gpt-4\.1-mini/, { input_per_mtok: 0.4, output_per_mtok: 1.6 }],
  [/^gpt-4\.1/, { input_per_mtok: 2, output_per_mtok: 8 }],
  [/^gpt-5-mini/, { input_per_mtok: 0.25, output_per_mtok: 2 }],
  [/^gpt-5/, { input_per_mtok: 1.25, output_per_mtok: 10 }],
  [/^o[34]-mini/, { input_per_mtok: 1.1, output_per_mtok: 4.4 }],
  [/^gemini-2\.5-pro/, { input_per_mtok: 1.25, output_per_mtok: 10 }],
  [/^gemini-2\.5-flash-lite/, { input_per_mtok: 0.1, output_per_mtok: 0.4 }],
  [/^gemini-2\.5-flash/, { input_per_mtok: 0.3, output_per_mtok: 2.5 }],
];

export class PriceTable {
  constructor(private readonly overrides: Record<string, Price> = {}) {}

  lookup(model: string): Price | undefined {
    const bare = model.replace(/^(anthropic|openai|gemini)\//, '');
    if (this.overrides[model]) return this.overrides[model];
    if (this.overrides[bare]) return this.overrides[bare];
    return DEFAULT_PRICES.find(([re]) => re.test(bare))?.[1];
  }

  /** Cost in USD; 0 for an unknown model (the report marks the price as unknown). */
  cost(model: string, input: number, output: number): number {
    const p = this.lookup(model);
    if (!p) return 0;
    return (input * p.input_per_mtok + output * p.output_per_mtok) / 1_000_000;
  }
}
