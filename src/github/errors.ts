/** Reading Octokit request errors without depending on @octokit/request-error directly. */

/** Returns the HTTP status of an Octokit request error, or undefined for other errors. */
export function httpStatus(error: unknown): number | undefined {
  if (typeof error === "object" && error !== null && "status" in error) {
    const status = (error as { status: unknown }).status;
    return typeof status === "number" ? status : undefined;
  }
  return undefined;
}

/**
 * Returns true for the errors a read-only token gets on writes: 403 "Resource not
 * accessible by integration", which pull requests from forks and Dependabot receive.
 */
export function isPermissionError(error: unknown): boolean {
  const status = httpStatus(error);
  return status === 403 || status === 401;
}
