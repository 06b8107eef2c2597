/** Parses a JSON body sent to a sandbox route, or undefined if it is not a JSON object. */
export function jsonBody(body: unknown): Record<string, unknown> | undefined {
  if (typeof body !== 'string' || body === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
