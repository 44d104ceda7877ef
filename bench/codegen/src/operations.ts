// Operations a front end writes, typed by the client preset (src/gql is generated: `npm run check`).
import type { ResultOf, VariablesOf } from "@graphql-typed-document-node/core";
import { graphql } from "./gql";

export const DepartmentPowers = graphql(`
  query DepartmentPowers($unit: ID!, $first: Int, $after: String, $last: Int, $before: String) {
    powers(filter: { unitId: $unit }, first: $first, after: $after, last: $last, before: $before) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id code name category status updatedAt unit { id name } } }
    }
  }
`);

export const LiveEvents = graphql(`
  subscription LiveEvents($after: String, $types: [EventType!]) {
    events(after: $after, types: $types) { type label occurredAt cursor subjectId payload power { id code name } }
  }
`);

export const FileComplaint = graphql(`
  mutation FileComplaint($input: FileComplaintInput!) {
    fileComplaint(input: $input) {
      __typename
      ... on ComplaintReceipt { receiptCode }
      ... on ValidationErrors { errors { field message code } }
      ... on RateLimitedError { message }
    }
  }
`);

// the types follow the schema: a wrong field or variable is a compile error
type Powers = ResultOf<typeof DepartmentPowers>;
export function codes(result: Powers): string[] {
  return result.powers.edges.map((edge) => edge.node.code);
}
export const firstPage: VariablesOf<typeof DepartmentPowers> = { unit: "VW5pdDox", first: 20 };
export const backward: VariablesOf<typeof DepartmentPowers> = { unit: "VW5pdDox", last: 20, before: "cursor" };
export function eventName(event: ResultOf<typeof LiveEvents>["events"]): string {
  const when: string = event.occurredAt; // DateTime arrives as an ISO 8601 string
  return `${event.type} ${event.label} ${when}`;
}
export function refused(result: ResultOf<typeof FileComplaint>): string | null {
  const answer = result.fileComplaint;
  return answer.__typename === "ValidationErrors" ? answer.errors.map((e) => e.code).join(",") : null;
}
