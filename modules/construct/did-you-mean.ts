/**
 * "Did you mean": the known name a typo most likely stands for, for setting names, cdktf.json context keys and
 * regions alike. Pure.
 *
 * Ranked by edits and shared words: a shared word outweighs several edits (DOMAIN is DOMAIN_NAMES cut short,
 * not ORIGIN, fewer letters away), edits decide between names sharing as much (REGOIN is REGION with two
 * letters swapped). Nothing is suggested when no name shares a word and every name is more than a third of
 * the typo's length away: a guess that far off misleads more than it helps.
 */

/** A name's words, lowercase: split on `_`, `-`, `.`, spaces, camelCase humps and letter/digit boundaries. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .replace(/([A-Za-z])([0-9])/g, "$1 $2")
    .replace(/([0-9])([A-Za-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== "");
}

/**
 * Optimal string alignment distance: insertions, deletions, substitutions, and a swap of two neighbours
 * counted as one edit (the commonest typo: us-eats-1).
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    d[i] = [i];
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** Words of two letters or fewer, and numbers, are too common (us, id, 1) to tell names apart. */
function telling(word: string): boolean {
  return word.length >= 3 && !/^[0-9]+$/.test(word);
}

/**
 * How well two words match: 1 the same; 0.75 one edit apart, or one the start of the other (MEM, MEMORY);
 * 0.5 another ending of one stem of four letters or more (SIGNED, SIGNING); else 0.
 */
function wordMatch(typed: string, known: string): number {
  if (typed === known) return 1;
  if (!telling(typed) || !telling(known)) return 0;
  if (known.startsWith(typed) || typed.startsWith(known)) return 0.75;
  const shorter = Math.min(typed.length, known.length);
  if (shorter >= 4 && editDistance(typed, known) <= 1) return 0.75;
  let stem = 0;
  while (typed[stem] === known[stem]) stem++;
  return stem >= 4 && stem >= shorter - 2 ? 0.5 : 0;
}

/** Shared words, each known word used once: the best match of each typed word, telling words only. */
function sharedWords(typed: readonly string[], known: readonly string[]): number {
  const free = [...known];
  let total = 0;
  for (const word of typed.filter(telling)) {
    const scores = free.map((other) => wordMatch(word, other));
    const best = Math.max(0, ...scores);
    if (best > 0) {
      total += best;
      free.splice(scores.indexOf(best), 1);
    }
  }
  return total;
}

/** The start that the typo and every candidate share, up to a separator: IMAGE_CDN_ says nothing about which. */
function sharedPrefixLength(names: readonly string[]): number {
  const [first = ""] = names;
  let length = 0;
  for (let i = 0; i < first.length; i++) {
    if (!names.every((name) => name[i] === first[i])) break;
    if (/[^a-z0-9]/.test(first.charAt(i))) length = i + 1;
  }
  return length;
}

/** Edits one shared word is worth: DOMAIN reaches DOMAIN_NAMES (6 edits, a word) before ORIGIN (4 edits, none). */
const WORD_WEIGHT = 4;

/**
 * The candidate the typo most likely meant, or undefined when none is close. Case-insensitive; words in
 * another order count as shared (PRESETS_ONLY is ONLY_PRESETS). Of equals, the first candidate.
 */
export function didYouMean(typo: string, candidates: readonly string[]): string | undefined {
  const lower = candidates.map((c) => c.toLowerCase());
  const cut = sharedPrefixLength([typo.toLowerCase(), ...lower]);
  const typed = typo.toLowerCase().slice(cut);
  // Words from the name as written: lowercase first would hide camelCase humps.
  const typedWords = nameWords(typo.slice(cut));
  const sortedTyped = [...typedWords].sort().join(" ");
  const maxEdits = Math.max(1, Math.floor(typed.length / 3));
  let best: { candidate: string; cost: number } | undefined;
  candidates.forEach((candidate, index) => {
    const known = lower[index]!.slice(cut);
    const knownWords = nameWords(candidate.slice(cut));
    const edits = Math.min(editDistance(typed, known), editDistance(sortedTyped, [...knownWords].sort().join(" ")));
    const shared = sharedWords(typedWords, knownWords);
    if (shared === 0 && edits > maxEdits) return;
    const cost = edits - WORD_WEIGHT * shared;
    if (best === undefined || cost < best.cost) best = { candidate, cost };
  });
  return best?.candidate;
}
