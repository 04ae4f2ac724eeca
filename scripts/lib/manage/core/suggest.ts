// "Did you mean": the known word closest to a misspelt one, by edit distance (pure).

/**
 * Edits that turn `a` into `b`: insert, delete, substitute one character, or swap two neighbours
 * (Damerau-Levenshtein, optimal string alignment). A swap counts as one edit because `prot` for `port`
 * is one slip of the fingers, not two.
 */
export function editDistance(a: string, b: string): number {
  // rows[i][j]: the distance between the first i characters of a and the first j of b.
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * How many edits still read as a slip rather than another word: one per three characters of the longer
 * word, at least one. `up` is not a slip of `ps` (two edits in two letters), `dashbord` is one of `dashboard`.
 */
export function tolerance(a: string, b: string): number {
  return Math.max(1, Math.floor(Math.max(a.length, b.length) / 3));
}

/**
 * The candidate closest to `word` within the tolerance, or undefined. Case does not count as an edit
 * (`DependsOn` means `dependsOn`); among equally close candidates the first given wins, so it is deterministic.
 */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance > tolerance(word, candidate)) continue;
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  return best?.candidate;
}

/** `; did you mean "dependsOn"?` when a candidate is close enough, else the empty string: appended to a message. */
export function didYouMean(word: string, candidates: Iterable<string>, quote = (text: string): string => `"${text}"`): string {
  const match = closestMatch(word, candidates);
  return match === undefined ? '' : `; did you mean ${quote(match)}?`;
}
