/** The fake Cloudflare API and its loopback DNS and HTTPS bridge; see server.ts and live.ts. */

export {
  cloudflareDomainsOf,
  startExampleFleetSandbox,
  workerHostOf,
} from "./example-fleet.js";
export { type LiveBridge, type LiveBridgeOptions, startLiveBridge } from "./live.js";
export {
  type CloudflareSandbox,
  type CloudflareSandboxOptions,
  startCloudflareSandbox,
} from "./sandbox.js";
export { type CloudflareWorld, seedCloudflareZones, splitForCloudflare } from "./seed.js";
export {
  type ApiRequest,
  type CloudflareFake,
  type CloudflareFakeOptions,
  type FakeChange,
  type IncomingWrite,
  type Injection,
  type RecordedRequest,
  type RequestProblem,
  type RequestValidator,
  startCloudflareFake,
} from "./server.js";
export type { FakeAccount, FakeCustomDomain, FakeRecord, FakeZone } from "./state.js";
export type { FetchHandler } from "./worker-runtime.js";
