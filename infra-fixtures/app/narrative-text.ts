/**
 * Deterministic, cheap "generation": the same prompt, genre and length always give the same text,
 * so a stored narrative can be re-rendered instead of kept, and tests can compare outputs.
 */
import type { Genre } from './narrative-input.ts';

// Space-separated so the vocabulary stays readable; split once at load.
const genreWords: Record<Genre, readonly string[]> = {
  fantasy: words('dragon keep sword oath forest mage crown rune river king storm tower'),
  scifi: words('station orbit signal engine drone colony reactor beacon hull probe star code'),
  mystery: words('letter alibi clue inspector stair lamp ledger key witness fog door motive'),
  romance: words('letter garden dance promise glance train summer heart rain balcony song ring'),
  horror: words('cellar whisper mirror candle hollow shadow grave attic bell mist bone door'),
};

const common = words(
  'the a and then under beyond quietly old silver last never again waited found remembered carried ' +
    'opened followed lost kept of into',
);

function words(text: string): readonly string[] {
  return text.split(' ');
}

/** FNV-1a over UTF-16 units: stable across runs and platforms. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a tiny seeded PRNG, enough for word choice. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Exactly `words` words, in sentences of 5 to 12 words. */
export function generateText(prompt: string, genre: Genre, words: number): string {
  const rand = prng(hash(`${genre}\n${prompt}`));
  const themed = genreWords[genre];
  const out: string[] = new Array<string>(words);
  let sentenceLeft = 0;
  for (let i = 0; i < words; i++) {
    const pool = rand() < 0.45 ? themed : common;
    let word = pool[Math.floor(rand() * pool.length)] as string;
    if (sentenceLeft === 0) {
      sentenceLeft = 5 + Math.floor(rand() * 8);
      word = word.charAt(0).toUpperCase() + word.slice(1);
    }
    sentenceLeft--;
    if (sentenceLeft === 0 || i === words - 1) {
      word += '.';
      sentenceLeft = 0;
    }
    out[i] = word;
  }
  return out.join(' ');
}
