import { protocol, types, type PGlite } from '@electric-sql/pglite';
import type { QueryResult } from 'kysely';

/**
 * Named prepared statements on PGlite, for the statements prepared() marks. PGlite's own query()
 * sends Parse + Describe + Bind + Describe + Execute for every call, so PostgreSQL (in wasm, on the
 * Node thread) re-parses and re-plans the text each time: kilobytes for the notification's UPDATE
 * with its CTEs. Here a marked text is parsed once per PGlite instance (and PostgreSQL may switch
 * to a generic plan after a few runs, as it does for named statements on a server); later calls
 * send only Bind + Execute + Sync. Rows are parsed with the instance's parsers, as query() does.
 */

const { serialize } = protocol;

interface Statement {
  name: string;
  paramTypes: number[];
  fields: { name: string; dataTypeID: number }[];
}

interface Message {
  name: string;
  dataTypeIDs?: number[];
  fields?: unknown[];
  text?: string;
}

const statements = new WeakMap<PGlite, Map<string, Statement>>();

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function prepare(pglite: PGlite, known: Map<string, Statement>, text: string): Promise<Statement> {
  const name = `jp_${known.size}`;
  const { messages } = await pglite.execProtocol(
    concat([serialize.parse({ name, text }), serialize.describe({ type: 'S', name }), serialize.sync()]),
    { syncToFs: false },
  );
  const found = messages as unknown as Message[];
  const params = found.find((m) => m.name === 'parameterDescription');
  const row = found.find((m) => m.name === 'rowDescription');
  const statement: Statement = {
    name,
    paramTypes: params?.dataTypeIDs ?? [],
    fields: ((row?.fields ?? []) as Statement['fields']).map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
  };
  // recorded only once PostgreSQL has it (a failed Parse throws above)
  known.set(text, statement);
  return statement;
}

/** Runs a marked statement by name, under PGlite's query lock like query(). */
export function runPrepared<R>(pglite: PGlite, text: string, parameters: readonly unknown[]): Promise<QueryResult<R>> {
  return pglite.runExclusive(async () => {
    let known = statements.get(pglite);
    if (!known) statements.set(pglite, (known = new Map()));
    const st = known.get(text) ?? (await prepare(pglite, known, text));
    const values = parameters.map((v, i) => {
      if (v === null || v === undefined) return null;
      const serializer = pglite.serializers[st.paramTypes[i]!];
      return serializer ? serializer(v) : String(v);
    });
    const { messages } = await pglite.execProtocol(
      concat([serialize.bind({ statement: st.name, values }), serialize.execute({}), serialize.sync()]),
    );
    const rows: R[] = [];
    let affected = 0;
    for (const m of messages as unknown as Message[]) {
      if (m.name === 'dataRow') {
        const cells = m.fields as (string | null)[];
        rows.push(
          Object.fromEntries(
            st.fields.map((f, i) => [f.name, types.parseType(cells[i] ?? null, f.dataTypeID, pglite.parsers)]),
          ) as R,
        );
      } else if (m.name === 'commandComplete') {
        const words = (m.text ?? '').split(' ');
        const n = parseInt(words[words.length - 1] ?? '', 10);
        if (['INSERT', 'UPDATE', 'DELETE', 'COPY', 'MERGE'].includes(words[0] ?? '')) affected += n;
      }
    }
    // as query() reports it: affectedRows is always set
    return { rows, numAffectedRows: BigInt(affected) };
  });
}
