// The layering of ARCHITECTURE.md §3, checked by `npm run lint:deps` (part of `npm run lint`):
// core ← platform ← channels ← domain modules ← http / cli; the sandbox and the demo seeding are
// never imported by domain code; a module is entered only through its index.ts; no cycles.
const DOMAINS = '(merchants|payments|notifications|fees|ledger|risk|profiles|reconciliation|settlement)';

module.exports = {
  forbidden: [
    {
      name: 'core-imports-nothing',
      comment: 'core/ holds plain values (money, ids, clock, errors): it imports nothing else of ours',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'platform-imports-only-core',
      comment: 'platform/ is infrastructure: it may use core/, never a domain, channels or http',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: '^src/', pathNot: '^src/(core|platform)/' },
    },
    {
      name: 'channels-below-domains',
      comment: 'channel adapters speak protocols; they never reach into domains, the sandbox or http',
      severity: 'error',
      from: { path: '^src/channels/' },
      to: { path: '^src/', pathNot: '^src/(core|platform|channels)/' },
    },
    {
      name: 'no-sandbox-or-demo-in-production-code',
      comment: 'the simulators and the demo seeding are for trying it out; only the CLI starts them',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(sandbox|demo|cli)/' },
      to: { path: '^src/(sandbox|demo)/' },
    },
    {
      name: 'domains-through-index',
      comment: 'another module is entered only through its index.ts',
      severity: 'error',
      from: { path: `^src/${DOMAINS}/` },
      to: {
        path: `^src/${DOMAINS}/`,
        // the module itself, another module's index.ts, or a sub-module's (merchants/plates/index.ts)
        pathNot: [`^src/$1/`, `^src/[a-z]+/index\\.ts$`, `^src/[a-z]+/[a-z-]+/index\\.ts$`],
      },
    },
    {
      name: 'app-enters-domains-through-index',
      comment: 'the app (http/) and the CLI reach a module only through its index.ts, like other modules do',
      severity: 'error',
      from: { path: '^src/(http|cli)/' },
      to: {
        path: `^src/${DOMAINS}/`,
        pathNot: [`^src/[a-z]+/index\\.ts$`, `^src/[a-z]+/[a-z-]+/index\\.ts$`],
      },
    },
    {
      name: 'domains-below-http',
      comment: 'domains are used by http/ and cli/, never the other way round',
      severity: 'error',
      from: {
        path: `^src/(core|platform|channels|${DOMAINS.slice(1, -1)})/`,
        pathNot: ['^src/[a-z]+/http/', '^src/[a-z]+/[a-z-]+/http/'],
      },
      to: { path: '^src/(http|cli)/' },
    },
    {
      name: 'module-routes-use-shared-http-only',
      comment:
        "a module's http/ routes use the app's shared schemas, body parsing and error table, nothing else of http/",
      severity: 'error',
      from: { path: ['^src/[a-z]+/http/', '^src/[a-z]+/[a-z-]+/http/'], pathNot: '^src/http/' },
      to: { path: '^src/(http|cli)/', pathNot: '^src/http/(schemas|errors|body)\\.ts$' },
    },
    {
      name: 'no-cycles',
      comment: 'modules depend on each other one way',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
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
  },
};
