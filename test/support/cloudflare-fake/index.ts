/**
 * The fake Cloudflare API of src/sandbox/cloudflare, with every request checked against
 * Cloudflare's OpenAPI subset in the shared folder (through ../openapi.ts). A request that
 * does not validate gets a 400 and is listed by `invalidRequests()`, which each test file
 * checks is empty. Without the shared folder the fake runs unchecked (`validating` is false).
 */
import {
  type CloudflareFake,
  type RequestValidator,
  type CloudflareFakeOptions as SandboxFakeOptions,
  startCloudflareFake as startSandboxFake,
} from "../../../src/sandbox/cloudflare/index.js";
import { OpenApiValidator } from "../openapi.js";
import { sharedPath } from "../shared.js";

export {
  type CloudflareFake,
  type FakeAccount,
  type FakeCustomDomain,
  type FakeRecord,
  type FakeZone,
  type FetchHandler,
  type Injection,
  type LiveBridge,
  type LiveBridgeOptions,
  type RecordedRequest,
  startLiveBridge,
} from "../../../src/sandbox/cloudflare/index.js";

export const CLOUDFLARE_OPENAPI_SUBSET = "vendor-api/cloudflare-openapi-subset.json";

export interface CloudflareFakeOptions extends Omit<SandboxFakeOptions, "validateRequest"> {
  /** Whether to validate requests. Defaults to true when the OpenAPI subset is present. */
  validate?: boolean;
}

let cachedValidator: OpenApiValidator | null | undefined;

/** Loads the Cloudflare OpenAPI subset once per process, or returns null when the shared folder is absent. */
export function loadCloudflareValidator(): OpenApiValidator | null {
  if (cachedValidator !== undefined) return cachedValidator;
  const file = sharedPath(CLOUDFLARE_OPENAPI_SUBSET);
  cachedValidator = file ? OpenApiValidator.fromFile(file) : null;
  return cachedValidator;
}

/**
 * Returns the request check for the fake: the OpenAPI subset's, or null when the shared
 * folder is absent. Throws when `validate` is true and the subset is absent.
 */
export function cloudflareRequestValidator(validate?: boolean): RequestValidator | null {
  if (validate === false) return null;

  const validator = loadCloudflareValidator();
  if (validator) return (request) => validator.check(request).problems;
  if (validate === true) {
    throw new Error(
      `cloudflare fake: validation requested but ${CLOUDFLARE_OPENAPI_SUBSET} is absent`,
    );
  }
  return null;
}

export async function startCloudflareFake(
  options: CloudflareFakeOptions = {},
): Promise<CloudflareFake> {
  const { validate, ...rest } = options;
  const validateRequest = cloudflareRequestValidator(validate);
  return startSandboxFake({ ...rest, ...(validateRequest ? { validateRequest } : {}) });
}
