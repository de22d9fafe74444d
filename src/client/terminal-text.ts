/**
 * Text a person or a plan wrote (notes, reasons, names, a programme's title) reaches other people's
 * terminals through the CLI. A control character in it could clear the screen, move the cursor or recolour
 * what follows, so a note could hide the lines above it and print its own "ALL CLEAR". Every such
 * character is shown as its `\uXXXX` escape instead: inert on a terminal, and still the same character
 * when it stands inside a JSON string.
 */

/** C0 controls but newline and tab, DEL, C1 controls, and the bidirectional overrides that reorder text. */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
