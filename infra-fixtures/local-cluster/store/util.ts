/** Name suffixes and timestamps in the forms the API server uses. */

const kSuffixChars = 'bcdfghjklmnpqrstvwxz2456789';

/** Random suffix from upstream's safe alphabet (no vowels, no look-alikes), as in generateName. */
export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += kSuffixChars[Math.floor(Math.random() * kSuffixChars.length)];
  return s;
}

/** RFC 3339 with whole seconds, the precision of metav1.Time. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** RFC 3339 with microseconds, the precision of metav1.MicroTime (Lease renewTime, Event eventTime). */
export function rfc3339Micro(d: Date): string {
  return d.toISOString().replace(/Z$/, '000Z');
}
