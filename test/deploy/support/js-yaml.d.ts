// js-yaml is in node_modules through Jest (@istanbuljs/load-nyc-config) and ships no types:
// the one function used here. To go once a YAML parser is a declared devDependency.
declare module 'js-yaml' {
  /** Parses one YAML document; throws on a syntax error or a duplicated key. */
  export function load(text: string): unknown;
}
