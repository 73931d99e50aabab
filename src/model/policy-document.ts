// An IAM policy document as plain data: what a manifest declares and what observe parses from AWS's
// URL-encoded JSON. The manifest's zod schema (manifest/schema.ts) is checked against these types at
// compile time; the model depends on nothing outside itself. Type aliases, not interfaces: like the
// inferred zod types they are assignable to index-signature records (`Record<string, unknown>`).

/** One value or a non-empty list of values, as IAM writes them. */
export type PolicyStringOrList = string | string[];

export type PolicyPrincipal =
  | "*"
  | {
      AWS?: PolicyStringOrList | undefined;
      Service?: PolicyStringOrList | undefined;
      Federated?: PolicyStringOrList | undefined;
      CanonicalUser?: PolicyStringOrList | undefined;
    };

/** Condition operator → condition key → value(s). */
export type PolicyCondition = Record<string, Record<string, string | boolean | number | string[]>>;

export type PolicyStatement = {
  Sid?: string | undefined;
  Effect: "Allow" | "Deny";
  Principal?: PolicyPrincipal | undefined;
  NotPrincipal?: PolicyPrincipal | undefined;
  Action?: PolicyStringOrList | undefined;
  NotAction?: PolicyStringOrList | undefined;
  Resource?: PolicyStringOrList | undefined;
  NotResource?: PolicyStringOrList | undefined;
  Condition?: PolicyCondition | undefined;
};

export type PolicyDocument = {
  Version?: "2012-10-17" | "2008-10-17" | undefined;
  Id?: string | undefined;
  Statement: PolicyStatement | PolicyStatement[];
};
