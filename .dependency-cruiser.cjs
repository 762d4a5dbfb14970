/**
 * The layers of lib/, bottom to top, as `npm run lint` enforces them. A module may import from its own
 * layer's folder and from the layers listed below it, never from above; no cycles anywhere.
 *
 *   domain                      words, errors, shapes (imports nothing of ours)
 *   telemetry, config           logging, redaction, settings
 *   graph, tokens, store, events  the Graph client, token sources, DynamoDB stores, change-event sinks
 *   conversations, privacy      reading conversations (live, from the index, cursors); a person's data (erasure, retention)
 *   sync, pages, webhooks       the use cases that write: sync runs, the Page registry, push
 *   http, client                the API's HTTP edge; the typed client of it
 *   runtime                     composition: builds the services once per container
 *   local, cli                  the local runtime, the Graph emulator; operators' commands (npm run pages, smoke)
 *   functions/ (entry points), cdk/ (which reads only domain, config, telemetry and the table's keys)
 */
const layers = [
  ['domain'],
  ['telemetry', 'config'],
  ['graph', 'tokens', 'store', 'events'],
  ['conversations', 'privacy'],
  ['sync', 'pages', 'webhooks'],
  ['http', 'client'],
  ['runtime'],
  ['local', 'cli'],
];

const below = (rank) => layers.slice(0, rank).flat();

const layerRules = layers.flatMap((names, rank) =>
  names.map((name) => ({
    name: `layer-${name}`,
    comment: `lib/${name} may import only ${below(rank).join(', ') || 'nothing of ours'} (and itself).`,
    severity: 'error',
    from: { path: `^lib/${name}/` },
    to: {
      path: '^(lib|functions|cdk|test)/',
      pathNot: [`^lib/${name}/`, ...below(rank).map((lower) => `^lib/${lower}/`)],
    },
  })),
);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle makes two modules one: split out what both need instead.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'lib-is-a-known-layer',
      comment: 'Every folder of lib/ has a place in the layer map above.',
      severity: 'error',
      from: { path: '^lib/', pathNot: `^lib/(${layers.flat().join('|')})/` },
      to: {},
    },
    {
      name: 'functions-stay-thin',
      comment: 'Entry points build from lib/ and never from the local runtime, the CDK app or tests.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '^(lib/local|cdk|test)/' },
    },
    {
      name: 'cdk-reads-only-the-bottom',
      comment: 'The construct shares words and settings with lib/, never code that runs in Lambda.',
      severity: 'error',
      from: { path: '^cdk/' },
      to: {
        path: '^(lib|functions|test)/',
        pathNot: ['^lib/(domain|config|telemetry)/', '^lib/store/table-schema\\.ts$'],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
    exclude: { path: '^(node_modules|cdk\\.out|test/bench/peer)' },
  },
};
