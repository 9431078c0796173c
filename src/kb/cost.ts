/** What embedding a build cost, for the models whose list price is known (USD per million tokens, OpenAI's prices). */
const PRICE_PER_MILLION: Record<string, number> = {
  'text-embedding-3-small': 0.02,
  'text-embedding-3-large': 0.13,
  'text-embedding-ada-002': 0.1,
};

/** The cost in USD, or undefined for models without a known price (other providers, local servers). */
export function embeddingCost(model: string, tokens: number): number | undefined {
  const price = PRICE_PER_MILLION[model];
  return price === undefined ? undefined : (tokens / 1_000_000) * price;
}
