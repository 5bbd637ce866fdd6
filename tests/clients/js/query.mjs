// Runs one query with sparql-http-client's ParsingClient and prints what it parsed as JSON.
// usage: node query.mjs ENDPOINT select|ask|construct OPERATION QUERY
//   OPERATION: get, postUrlencoded or postDirect (the three of the SPARQL 1.1 Protocol)
import ParsingClient from 'sparql-http-client/ParsingClient.js'

const [endpointUrl, form, operation, query] = process.argv.slice(2)
const client = new ParsingClient({ endpointUrl })
const term = t => ({ termType: t.termType, value: t.value, language: t.language, datatype: t.datatype?.value })

let out
if (form === 'select') {
  const rows = await client.query.select(query, { operation })
  out = rows.map(row => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, term(v)])))
} else if (form === 'ask') {
  out = await client.query.ask(query, { operation })
} else {
  const dataset = await client.query.construct(query, { operation })
  out = [...dataset].map(q => [term(q.subject), term(q.predicate), term(q.object)])
}
process.stdout.write(JSON.stringify(out))
