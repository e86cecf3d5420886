// Prettier: the style the code was already written in: single quotes, semicolons, trailing commas, long lines.
// printWidth 190 was measured, not guessed: over the existing .ts/.js/.mjs files, widths 100 / 120 / 150 / 160 /
// 180 / 190 / 200 would rewrite about 10100 / 5900 / 2400 / 1800 / 1370 / 1320 / 1340 lines (the minimum is flat
// between 186 and 196). Comments are not rewrapped by Prettier; they stay at ~110 columns by hand.
/** @type {import('prettier').Config} */
export default {
  singleQuote: true,
  printWidth: 190,
};
