// Editing the text of the user's services file (pure): find the `export const SERVICES = [ ... ]` array and
// its entries, remove entries being replaced, and append new ones, leaving everything else as it was.
import { ManageError } from '../core/errors.ts';

interface Element {
  /** Where the entry's text starts, comment lines directly above it included. */
  leadStart: number;
  start: number;
  /** Just past the entry (before its comma). */
  end: number;
  /** Just past its comma and the rest of that line, or `end` if it has none. */
  after: number;
  hasComma: boolean;
}

export interface ServicesArray {
  open: number;
  close: number;
  elements: Element[];
}

/** After these, a `/` starts a regular expression rather than a division (enough for declarations). */
const beforeRegex = /[(,=:[!&|?{};]$|^$/;

/** Finds the SERVICES array and the top-level entries in it, skipping strings, templates, comments and regexes. */
export function findServicesArray(text: string, file: string): ServicesArray {
  const declaration = /export\s+const\s+SERVICES\s*(:[^=]+)?=\s*\[/g.exec(text);
  if (!declaration) {
    throw new ManageError(`${file} has no "export const SERVICES = [" to add to`, 1, 'declare the array as startup.ts does (export const SERVICES = [ ... ] satisfies Service[];), or print the declarations with --stdout');
  }
  const open = declaration.index + declaration[0].length - 1;
  const elements: Element[] = [];
  const stack: string[] = [];
  let current: Element | undefined;
  // Comments and blank lines between two entries belong to the one below them.
  let previousAfter = text[open + 1] === '\n' ? open + 2 : open + 1;
  let lastSignificant = '';
  for (let index = open + 1; index < text.length; index++) {
    const character = text[index]!;
    const next = text[index + 1];
    if (/\s/.test(character)) continue;
    if (character === '/' && next === '/') {
      index = text.indexOf('\n', index) - 1;
      if (index < 0) break;
      continue;
    }
    if (character === '/' && next === '*') {
      index = text.indexOf('*/', index + 2) + 1;
      if (index <= 0) break;
      continue;
    }
    if (stack.length === 0 && character === ']') {
      if (current) elements.push(current);
      return { open, close: index, elements };
    }
    if (stack.length === 0 && !current) current = { leadStart: previousAfter, start: index, end: index, after: index, hasComma: false };
    if (character === '"' || character === "'" || character === '`' || (character === '/' && beforeRegex.test(lastSignificant))) {
      index = skipQuoted(text, index);
    } else if (character === '(' || character === '[' || character === '{') {
      stack.push(character);
    } else if (character === ')' || character === ']' || character === '}') {
      stack.pop();
    } else if (character === ',' && stack.length === 0 && current) {
      current.hasComma = true;
      const lineEnd = text.indexOf('\n', index);
      // A comment after the comma on the same line stays with the entry.
      current.after = /^\s*(\/\/.*)?$/.test(text.slice(index + 1, lineEnd < 0 ? text.length : lineEnd)) && lineEnd >= 0 ? lineEnd + 1 : index + 1;
      elements.push(current);
      previousAfter = current.after;
      index = current.after - 1;
      current = undefined;
      lastSignificant = character;
      continue;
    }
    if (current) {
      current.end = index + 1;
      current.after = index + 1;
    }
    lastSignificant = character;
  }
  throw new ManageError(`the SERVICES array in ${file} has no closing "]"`, 1, `fix ${file} so it loads, then import again`);
}

/** Index just past a string, template literal (with ${} inside) or regular expression that starts at `start`. */
function skipQuoted(text: string, start: number): number {
  const quote = text[start]!;
  for (let index = start + 1; index < text.length; index++) {
    const character = text[index]!;
    if (character === '\\') {
      index++;
      continue;
    }
    if (quote === '`' && character === '$' && text[index + 1] === '{') {
      let depth = 1;
      index += 2;
      for (; index < text.length && depth > 0; index++) {
        if (text[index] === '{') depth++;
        else if (text[index] === '}') depth--;
        else if (text[index] === '`' || text[index] === '"' || text[index] === "'") index = skipQuoted(text, index);
      }
      index--;
      continue;
    }
    if (quote === '/' && character === '[') {
      // A class in a regular expression may hold a '/'.
      while (index < text.length && text[index] !== ']') index += text[index] === '\\' ? 2 : 1;
      continue;
    }
    if (character === quote) {
      if (quote === '/') while (/[a-z]/.test(text[index + 1] ?? '')) index++;
      return index;
    }
    if (character === '\n' && quote !== '`') return index;
  }
  return text.length;
}

/**
 * The file with the entries at `remove` (indexes into the array) taken out and `entries` (rendered lines,
 * ending in a newline) appended before the closing bracket.
 */
export function editServices(text: string, array: ServicesArray, remove: Set<number>, entries: string): string {
  const kept = array.elements.filter((_, index) => !remove.has(index));
  let body = '';
  let cursor = array.open + 1;
  array.elements.forEach((element, index) => {
    if (!remove.has(index)) return;
    body += text.slice(cursor, element.leadStart);
    cursor = element.after;
  });
  body += text.slice(cursor, array.close);
  const last = kept[kept.length - 1];
  if (last && !last.hasComma) {
    // The last kept entry gets the comma a following entry needs; its offset moved by what was cut before it.
    const cut = array.elements.filter((element, index) => remove.has(index) && element.after <= last.start).reduce((total, element) => total + (element.after - element.leadStart), 0);
    const at = last.end - (array.open + 1) - cut;
    body = `${body.slice(0, at)},${body.slice(at)}`;
  }
  const trimmed = body.replace(/\s*$/, '');
  const opening = trimmed === '' ? '\n' : `${trimmed}\n`;
  return `${text.slice(0, array.open + 1)}${opening}${entries}${text.slice(array.close)}`;
}
