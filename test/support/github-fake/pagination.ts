/**
 * Page-number pagination as GitHub's REST API does it: `per_page` (default 30,
 * maximum 100) and `page` (from 1), with `Link` header relations next, last, first
 * and prev (https://docs.github.com/rest/using-the-rest-api/using-pagination-in-the-rest-api).
 */

export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 100;

export interface Page<T> {
  items: T[];
  /** The `Link` header value, or undefined when everything fits on one page. */
  link: string | undefined;
}

/** Returns the page of `items` that `url`'s query requests, with its `Link` header. */
export function paginate<T>(items: T[], url: URL): Page<T> {
  const requested = Number(url.searchParams.get("per_page") ?? DEFAULT_PER_PAGE);
  const perPage = Math.min(Math.max(1, requested || DEFAULT_PER_PAGE), MAX_PER_PAGE);
  const page = Math.max(1, Number(url.searchParams.get("page") ?? 1) || 1);
  const lastPage = Math.max(1, Math.ceil(items.length / perPage));

  const start = (page - 1) * perPage;
  const pageItems = items.slice(start, start + perPage);
  if (lastPage === 1) {
    return { items: pageItems, link: undefined };
  }

  const pageUrl = (number: number): string => {
    const target = new URL(url);
    target.searchParams.set("per_page", String(perPage));
    target.searchParams.set("page", String(number));
    return target.toString();
  };
  const relations: string[] = [];
  if (page > 1) {
    relations.push(`<${pageUrl(page - 1)}>; rel="prev"`);
  }
  if (page < lastPage) {
    relations.push(`<${pageUrl(page + 1)}>; rel="next"`, `<${pageUrl(lastPage)}>; rel="last"`);
  }
  if (page > 1) {
    relations.push(`<${pageUrl(1)}>; rel="first"`);
  }

  return { items: pageItems, link: relations.join(", ") };
}
