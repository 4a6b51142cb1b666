/**
 * Colours from the Okabe–Ito palette, which stays distinguishable for the common forms of colour
 * blindness; lines also differ by dash, so a greyscale print still tells them apart.
 */
export const color = {
  blue: '#0072B2',
  sky: '#56B4E9',
  green: '#009E73',
  orange: '#E69F00',
  vermillion: '#D55E00',
  purple: '#CC79A7',
  wine: '#882255',
  black: '#222222',
  grey: '#8C8C8C',
  sla: '#C0392B',
} as const;

/** Failure kinds in the failures chart; unknown kinds cycle through the spare colours. */
const errorKindColor: Readonly<Record<string, string>> = {
  refused: color.vermillion,
  reset: color.purple,
  timeout: color.orange,
  'status-5xx': color.wine,
  'status-4xx': color.sky,
  'status-other': color.green,
  other: color.black,
  dropped: color.grey,
};
const spare = [color.blue, color.green, color.sky, color.black];

export function colorForErrorKind(kind: string, index: number): string {
  return errorKindColor[kind] ?? spare[index % spare.length] ?? color.black;
}

/**
 * Cycle for series that are one per object (zones). No orange or vermillion: faults are shaded in
 * that hue, and a zone drawn in it would read as a fault.
 */
export const cycle: readonly string[] = [color.blue, color.green, color.purple, color.sky, color.black];

export function cycleColor(i: number): string {
  return cycle[i % cycle.length] ?? color.black;
}

/** Dash patterns in the same spirit, for series of one kind drawn side by side. */
export const dashes: readonly (readonly number[])[] = [[], [6, 3], [2, 2], [10, 3, 2, 3]];

export function cycleDash(i: number): readonly number[] {
  return dashes[i % dashes.length] ?? [];
}
