// dependency-cruiser: the layer rule and "no import circles" from docs (shared ARCHITECTURE.md), checked by
// `npm run lint:deps` (part of `npm run lint`, so of CI).
//
// Layers, imported one way only:  core ← aws ← observe ← faults / experiment ← report ← cli
// and src/sandbox, beside them, imports only core and is entered only through src/sandbox/index.ts.
//
// Type-only imports (`import type`, `import { type X }`) count like any other import: tsPreCompilationDeps
// below makes dependency-cruiser see them. A type edge still couples two layers, and a circle made of type
// edges is still a circle for a reader.
//
// To see the current graph: npx depcruise src --output-type dot | dot -T svg > deps.svg

/** Every folder of src, so "anything in src but …" can be written as a negative lookahead. */
const notIn = (...allowed) => `^src/(?!(${allowed.join('|')}))`;

/** The small part of experiment/ that fault plugins may use (types and helpers, never the runner). */
const EXPERIMENT_FOR_FAULTS = ['experiment/types\\.ts$', 'experiment/safety\\.ts$', 'experiment/journal\\.ts$', 'experiment/config\\.ts$', 'experiment/discover\\.ts$'];

/**
 * What experiment/ may use of faults/: the registry (index: the modules; catalog: the kinds and their options,
 * which config validation needs) and the plugin contract's types — never one fault's own files.
 */
const FAULTS_FOR_EXPERIMENT = ['faults/index\\.ts$', 'faults/catalog\\.ts$', 'faults/types\\.ts$', 'faults/fault-meta\\.ts$'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import circle: module load order decides which side sees the other half-initialised. Break it by moving the shared part (often a type) into its own module.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'layer-core',
      severity: 'error',
      comment: 'core/ is the bottom layer: it imports nothing else of src.',
      from: { path: '^src/core/' },
      to: { path: notIn('core/') },
    },
    {
      name: 'layer-aws',
      severity: 'error',
      comment: 'aws/ imports only core/.',
      from: { path: '^src/aws/' },
      to: { path: notIn('aws/', 'core/') },
    },
    {
      name: 'layer-observe',
      severity: 'error',
      comment: 'observe/ (probe, watcher, recovery maths) imports only core/ and aws/.',
      from: { path: '^src/observe/' },
      to: { path: notIn('observe/', 'core/', 'aws/') },
    },
    {
      name: 'layer-faults',
      severity: 'error',
      comment:
        'A fault plugin (faults/) imports core/, aws/, observe/, other fault modules, and from experiment/ only its types and helpers (types, safety, journal, config) — never the runner.',
      from: { path: '^src/faults/' },
      to: { path: notIn('faults/', 'core/', 'aws/', 'observe/', ...EXPERIMENT_FOR_FAULTS) },
    },
    {
      name: 'layer-experiment',
      severity: 'error',
      comment:
        'experiment/ imports core/, aws/, observe/, and faults/ only through the registry (index.ts, catalog.ts) and the plugin contract (types.ts, fault-meta.ts). Not report/ or cli/, which are above it.',
      from: { path: '^src/experiment/' },
      to: { path: notIn('experiment/', 'core/', 'aws/', 'observe/', ...FAULTS_FOR_EXPERIMENT) },
    },
    {
      name: 'layer-report',
      severity: 'error',
      comment: 'report/ (renderers) may read everything below it (experiment types, observe, faults report sections) but not cli/.',
      from: { path: '^src/report/' },
      to: { path: notIn('report/', 'core/', 'aws/', 'observe/', 'faults/', 'experiment/') },
    },
    {
      name: 'sandbox-imports-only-core',
      severity: 'error',
      comment: 'The sandbox stands beside the tool, not inside it: it imports only core/ (and itself).',
      from: { path: '^src/sandbox/' },
      to: { path: notIn('sandbox/', 'core/') },
    },
    {
      name: 'sandbox-through-index',
      severity: 'error',
      comment: 'Code outside src/sandbox enters the sandbox only through src/sandbox/index.ts, its one public face.',
      from: { path: '^src/', pathNot: '^src/sandbox/' },
      to: { path: '^src/sandbox/', pathNot: '^src/sandbox/index\\.ts$' },
    },
    {
      name: 'src-not-to-dev-dep',
      severity: 'error',
      comment:
        'src/ is what ships (dist/): a package it imports must be in "dependencies", or the installed CLI fails to load. Type-only imports are erased, so they may come from devDependencies (@types/*).',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'], pathNot: ['node_modules/@types/'] },
    },
    {
      name: 'no-non-package-json',
      severity: 'error',
      comment: 'An import of a package that is not in package.json works only by accident (a hoisted transitive dependency).',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to no file.',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Only src/ is checked (`depcruise src`); packages are leaves, not followed into.
    doNotFollow: { path: 'node_modules' },
    // See type-only imports too (they are erased from the compiled JS, but they are edges between layers).
    tsPreCompilationDeps: true,
    // Resolve `./x.js` to `./x.ts` the way tsc (NodeNext) does.
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts', '.json'],
    },
    skipAnalysisNotInRules: true,
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
