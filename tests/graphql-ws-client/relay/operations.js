// Operations of the staff console, as a Relay app writes them: compiled by relay-compiler against
// schema.graphql (tests/test_real_clients.py) and run with relay-runtime by relay.mjs.
// graphql`…` is never evaluated: only the compiler reads this file.

graphql`
  query ConsoleUnitQuery($code: String!, $first: Int, $after: String, $last: Int, $before: String) {
    unit(code: $code) {
      id
      ...UnitPowers_unit @arguments(first: $first, after: $after, last: $last, before: $before)
    }
  }
`;

graphql`
  fragment UnitPowers_unit on Unit
  @refetchable(queryName: "UnitPowersPaginationQuery")
  @argumentDefinitions(
    first: { type: "Int" }
    after: { type: "String" }
    last: { type: "Int" }
    before: { type: "String" }
  ) {
    name
    powers(first: $first, after: $after, last: $last, before: $before) @connection(key: "UnitPowers_powers") {
      totalCount
      edges {
        node {
          id
          code
          name
        }
      }
    }
  }
`;

graphql`
  query ConsoleCasesQuery($unit: ID!, $first: Int, $after: String, $last: Int, $before: String) {
    cases(filter: { unitId: $unit }, first: $first, after: $after, last: $last, before: $before)
      @connection(key: "ConsoleCases_cases", filters: ["filter"]) {
      totalCount
      edges {
        node {
          id
          request
          receivedOn
        }
      }
    }
  }
`;

graphql`
  mutation ConsoleDeletePowerMutation($id: ID!) {
    deletePower(id: $id) {
      __typename
      ... on Deleted {
        id
        deletedId @deleteRecord
      }
      ... on ValidationErrors {
        message
      }
    }
  }
`;
