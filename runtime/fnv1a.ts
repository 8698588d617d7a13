// FNV-1a of a string, for short stable file names (the launcher's code cache, the translation
// store). No imports: the launcher (cli/launch.ts) bundles it.

/** FNV-1a (32-bit) of `s`'s UTF-16 code units, as 8 hex digits. */
export function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}
