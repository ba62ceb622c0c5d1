/**
 * Splits a POSIX shell word list (quotes, backslashes, line continuations) into argv,
 * so that command lines written in OVS's autotest files run with execFile, no shell.
 * Expansions ($VAR, `cmd`), pipes and redirections are refused; glob characters stay
 * literal (as they do in a shell when no file matches).
 */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated single quote in: ${text}`);
      word += text.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      inWord = true;
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1])) {
          if (text[i + 1] !== '\n') word += text[i + 1];
          i++;
        } else if (text[i] === '$' || text[i] === '`') {
          throw new Error(`shell expansion is not supported: ${text}`);
        } else word += text[i];
      }
      if (i >= text.length) throw new Error(`unterminated double quote in: ${text}`);
    } else if (c === '\\') {
      if (text[i + 1] === '\n') i++;
      else if (i + 1 < text.length) {
        word += text[++i];
        inWord = true;
      }
    } else if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if ('$`|;&<>'.includes(c)) {
      throw new Error(`shell syntax ${JSON.stringify(c)} is not supported: ${text}`);
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}
