/**
 * The plan as a sticky pull request comment, with the plan checksum and the head commit
 * in a hidden line so the apply job can find what was reviewed.
 */

import type { Shard } from "../commands/types.js";
import { formatShard } from "../plan/shard.js";
import type { Plan } from "../plan/types.js";

export interface PlanCommentInput {
  /** The command's Markdown result. */
  markdown: string;
  plan?: Plan;
  /** Pull request head commit the plan was computed for. */
  headSha: string;
  shard?: Shard;
  configErrorCount: number;
  /** Link to the run summary page, where the full plan is. */
  runUrl: string;
}

export interface PlanCommentMetadata {
  checksum: string;
  headSha: string;
}

const METADATA_LINE = /^<!-- mta-sts-gitops:plan-checksum=(\S*) head=(\S*) -->$/m;

/** Returns the sticky comment key: one comment per shard, so shards do not overwrite each other. */
export function planCommentKey(shard?: Shard): string {
  return shard ? `plan:shard-${shard.index}-of-${shard.count}` : "plan";
}

/** Renders the comment's Markdown (without the sticky marker, which the caller adds first). */
export function renderPlanComment(input: PlanCommentInput): string {
  const lines = [
    `<!-- mta-sts-gitops:plan-checksum=${input.plan?.checksum ?? ""} head=${input.headSha} -->`,
    headline(input),
  ];

  if (input.configErrorCount > 0) {
    lines.push(
      "",
      `**${input.configErrorCount} configuration error(s)**: see the annotations on the changed files and the [job summary](${input.runUrl}) for the full list.`,
    );
  }

  lines.push(
    "",
    input.markdown.trimEnd(),
    "",
    `<sub>[Full result in the job summary](${input.runUrl})</sub>`,
    "",
  );
  return lines.join("\n");
}

/** Returns the checksum and head commit from a plan comment, or null when it has none. */
export function parsePlanCommentMetadata(body: string): PlanCommentMetadata | null {
  const match = METADATA_LINE.exec(body);
  if (!match?.[1]) {
    return null;
  }
  return { checksum: match[1], headSha: match[2] ?? "" };
}

/** Returns the sentence that points a reviewer to the job summary when the comment is cut. */
export function planPointer(runUrl: string): string {
  return `This plan is longer than a GitHub comment (65,536 characters), so it was cut here. The full plan is in the [job summary](${runUrl}).`;
}

/** Returns the first line: which commit and shard the plan is for (the Markdown has the rest). */
function headline(input: PlanCommentInput): string {
  const commit = input.headSha ? `commit \`${input.headSha.slice(0, 7)}\`` : "this pull request";
  const scope = input.shard ? `shard ${formatShard(input.shard)} of the fleet, ` : "";
  if (!input.plan) {
    return `**No plan was computed** for ${scope}${commit}.`;
  }
  return `Plan for ${scope}${commit}:`;
}
