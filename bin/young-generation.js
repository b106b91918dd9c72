// Whether the operator sized V8's young generation themselves (a flag on node's command line or in
// NODE_OPTIONS); then tagcast leaves it as they chose.
const FLAG = /(^|\s)--(max|min)[-_]semi[-_]space[-_]size\b|(^|\s)--semi[-_]space[-_]growth[-_]factor\b/;

/**
 * @param {readonly string[]} execArgv node's own arguments (process.execArgv)
 * @param {string | undefined} nodeOptions the NODE_OPTIONS environment variable
 * @returns {boolean}
 */
export function youngGenerationChosen(execArgv, nodeOptions) {
  return FLAG.test(` ${execArgv.join(' ')} ${nodeOptions ?? ''}`);
}
