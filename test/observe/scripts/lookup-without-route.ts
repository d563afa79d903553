/**
 * Looks up a TXT record through resolvers the process has no route to, and prints the
 * result as JSON. The test runs it in a network namespace of its own, without interfaces,
 * so no packet can leave the machine.
 */

import { createDnsClient } from "../../../src/observe/dns-client.js";

const client = createDnsClient({
  resolvers: process.argv.slice(2),
  authoritative: false,
  timeoutMs: 500,
  attempts: 1,
  allowPrivateAddresses: true,
});
const lookup = await client.lookupTxt("_mta-sts.example.com");
client.close();
console.log(JSON.stringify({ status: lookup.status, detail: lookup.detail }));
