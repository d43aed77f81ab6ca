/** Public / Allow: the methods a server says it supports (upper-cased, order kept). */
export function parsePublic(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((m) => m.trim().toUpperCase())
    .filter((m) => /^[A-Z_]+$/.test(m));
}

export function serializePublic(methods: readonly string[]): string {
  return methods.join(', ');
}
