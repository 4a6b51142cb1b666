/** A figure for the bench tables: fixed decimals, or n/a when it was not measured. */
export const fmt = (v: number | null, digits = 2): string =>
  v === null || Number.isNaN(v) ? 'n/a' : v.toFixed(digits);
