/**
 * What a page of another site tries against the console, run inside that page by both browser suites: read the
 * messages with the developer's cookie, and post a chat message as a simple (no-preflight) request. Each outcome is
 * `status N` or `blocked`.
 */
export async function crossSiteAttempts(origin: string): Promise<string[]> {
  const outcomes: string[] = [];
  for (const request of [
    fetch(`${origin}/_console/api/messages`, { credentials: 'include' }),
    fetch(`${origin}/_console/api/chat`, {
      method: 'POST',
      credentials: 'include',
      mode: 'no-cors',
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify({ openid: 'oAttacker', kind: 'text', text: 'pwned' }),
    }),
  ]) {
    outcomes.push(await request.then((response) => `status ${response.status}`).catch(() => 'blocked'));
  }
  return outcomes;
}
