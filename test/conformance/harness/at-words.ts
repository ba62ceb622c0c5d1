import { shellWords } from '../shell-words';

/** The one command substitution ovsdb-idl.at uses: `$(printf "TEXT%.0s" {1..N})`, TEXT N times. */
export function expandPrintfRepeats(text: string): string {
  return text.replace(/\$\(printf "([^"%]*)%\.0s" \{1\.\.(\d+)\}\)/g, (_, body: string, n: string) => body.repeat(Number(n)));
}

/** A macro argument as the shell splits it into words on an AT_CHECK command line. */
export const atWords = (text: string): string[] => shellWords(expandPrintfRepeats(text));
