// The checks of a RestApi document that its schema cannot express: resource paths, method and integration
// parameters, integration responses (and their Java selection patterns), role references to IamRole
// manifests of the same account, method-setting keys, and the tags, placeholders and resource policy.
// Each returns problems with a field path; the loader turns them into file:line:column messages.
import { checkPlaceholders, checkTags, type CheckProblem } from "../../manifest/checks.ts";
import type { FieldPath } from "../../manifest/issues.ts";
import { clip, closest, quote } from "../../manifest/issues.ts";
import { checkJavaRegex, formatJavaRegexIssue } from "../../manifest/java-regex.ts";
import { checkPolicy } from "../../manifest/policy-checks.ts";
import type { MethodSpec, RestApiDocument } from "./schema.ts";

export interface CheckContext {
  roleNames: ReadonlySet<string>;
  /**
   * Whether a file that could not be read (not UTF-8, a YAML error…) mentions this name: the role a roleRef
   * names may be in it, so a missing role is not reported on top of the reason the file was not read.
   */
  inUnreadFile?: (name: string) => boolean;
  /** IamRole name → the role assumed to manage it ("" for the run's own account). */
  roleAccounts?: ReadonlyMap<string, string>;
  /** The RestApi's own assumeRoleArn ("" for the run's account), set while checking its methods. */
  apiAccount?: string;
}

/** An integration's roleRef must name a role of the API's own account: API Gateway can only pass a role of its account. */
function checkSameAccount(roleRef: string, apiAccount: string, context: CheckContext, path: FieldPath): CheckProblem[] {
  const roleAccount = context.roleAccounts?.get(roleRef);
  if (roleAccount === undefined || roleAccount === apiAccount) return [];
  const where = (arn: string) => (arn ? `assumeRoleArn ${clip(arn, 100)}` : "the run's own account");
  return [{ path, message: `IamRole ${quote(roleRef)} is managed through ${where(roleAccount)}, this RestApi through ${where(apiAccount)}: an integration can only use a role of its API's account` }];
}

const PATH_PART = /^(\{[A-Za-z0-9_.-]+\+?\}|[A-Za-z0-9._~:@!$&'()*+,;=-]+)$/;
const METHOD_PARAM = /^method\.request\.(path|header|querystring|multivalueheader|multivaluequerystring)\.([^\s]+)$/;
const INTEGRATION_PARAM = /^integration\.request\.(path|header|querystring|multivaluequerystring)\.([^\s]+)$/;
const RESPONSE_HEADER = /^method\.response\.header\.([^\s]+)$/;
const ROLE_ARN = /^arn:[^:]+:iam::[^:]*:role\/.+$/;

export function checkRestApi(doc: RestApiDocument, context: CheckContext): CheckProblem[] {
  const problems: CheckProblem[] = [];
  const spec = doc.spec;
  problems.push(...checkTags(spec.tags, ["spec", "tags"]));
  problems.push(...checkPlaceholders(spec, ["spec"]));
  if (spec.policy) problems.push(...checkPolicy(spec.policy, "resource", ["spec", "policy"]));
  const resourcesPath = ["spec", "resources"];
  const paths = Object.keys(spec.resources);
  problems.push(...checkResourcePaths(paths, resourcesPath));
  for (const [resourcePath, resource] of Object.entries(spec.resources)) {
    for (const [httpMethod, method] of Object.entries(resource.methods ?? {})) {
      if (!method) continue;
      problems.push(...checkMethod(resourcePath, method, [...resourcesPath, resourcePath, "methods", httpMethod], context));
    }
  }
  for (const [stageName, stage] of Object.entries(spec.stages ?? {})) {
    problems.push(...checkTags(stage.tags, ["spec", "stages", stageName, "tags"]));
    for (const key of Object.keys(stage.methodSettings ?? {})) {
      const problem = checkMethodSettingKey(key, spec);
      if (problem) problems.push({ path: ["spec", "stages", stageName, "methodSettings", key], at: "key", message: problem });
    }
  }
  if (Object.keys(spec.stages ?? {}).length > 10) {
    problems.push({ path: ["spec", "stages"], message: "API Gateway allows at most 10 stages per API" });
  }
  return problems;
}

function checkResourcePaths(paths: string[], at: FieldPath): CheckProblem[] {
  const problems: CheckProblem[] = [];
  const canonical = new Map<string, string>();
  const variableChild = new Map<string, string>();
  for (const path of paths) {
    const where = [...at, path];
    const problem = resourcePathProblem(path);
    if (problem) {
      problems.push({ path: where, at: "key", message: problem });
      continue;
    }
    const normal = path === "/" ? "/" : path.replace(/\/+$/, "");
    const earlier = canonical.get(normal);
    if (earlier !== undefined) problems.push({ path: where, at: "key", message: `same resource as ${quote(earlier)}` });
    canonical.set(normal, path);
  }
  // API Gateway allows one variable path part among siblings ({folder} and {bucket} under / clash).
  // Reported once per clashing pair, at the path that comes later in the file.
  const reported = new Set<string>();
  for (const [path, declared] of [...canonical.entries()].map(([p, d]) => [p, d] as const).sort((a, b) => paths.indexOf(a[1]) - paths.indexOf(b[1]))) {
    const parts = path.split("/").filter(Boolean);
    for (let depth = 0; depth < parts.length; depth++) {
      const part = parts[depth] ?? "";
      if (!part.startsWith("{")) continue;
      const parent = "/" + parts.slice(0, depth).join("/");
      const seen = variableChild.get(parent);
      if (seen === undefined) variableChild.set(parent, part);
      else if (seen !== part && !reported.has(`${parent}|${part}`)) {
        reported.add(`${parent}|${part}`);
        problems.push({ path: [...at, declared], at: "key", message: `${quote(part)} and ${quote(seen)} are both variable path parts under ${quote(parent)}; API Gateway allows only one` });
      }
    }
  }
  return problems;
}

function resourcePathProblem(path: string): string | undefined {
  if (path === "/") return undefined;
  if (!path.startsWith("/")) return `a resource path starts with "/"`;
  const parts = path.replace(/\/$/, "").split("/").slice(1);
  for (const [i, part] of parts.entries()) {
    if (part === "") return "a resource path has no empty segments (//)";
    if (!PATH_PART.test(part)) return `${quote(part)} is not a valid path part (letters, digits, ._-~ and friends, or {name})`;
    if (part.endsWith("+}") && i !== parts.length - 1) return `the greedy variable ${clip(part, 60)} must be the last path part`;
  }
  return undefined;
}

function pathVariables(resourcePath: string): Set<string> {
  return new Set([...resourcePath.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1] ?? ""));
}

function checkMethod(resourcePath: string, method: MethodSpec, at: FieldPath, context: CheckContext): CheckProblem[] {
  const declared = new Set(Object.keys(method.requestParameters ?? {}));
  const problems = checkMethodParameters(resourcePath, declared, at);
  const integration = method.integration;
  if (!integration) {
    problems.push({ path: [...at, "integration"], message: "a method needs an integration (API Gateway refuses to deploy a method without one)" });
  } else {
    const iat = [...at, "integration"];
    problems.push(...checkIntegrationTarget(integration, iat, context), ...checkIntegrationMappings(integration, declared, iat), ...checkIntegrationResponses(method, integration, iat));
  }
  for (const [code, response] of Object.entries(method.responses ?? {})) {
    for (const header of Object.keys(response.responseParameters ?? {})) {
      if (!RESPONSE_HEADER.test(header)) {
        problems.push({ path: [...at, "responses", code, "responseParameters", header], at: "key", message: "a response parameter is method.response.header.<name>" });
      }
    }
  }
  return problems;
}

type IntegrationSpec = NonNullable<MethodSpec["integration"]>;

/** Each declared parameter is well named, and a path parameter is a variable of the resource path. */
function checkMethodParameters(resourcePath: string, declared: ReadonlySet<string>, at: FieldPath): CheckProblem[] {
  const problems: CheckProblem[] = [];
  const variables = pathVariables(resourcePath);
  for (const name of declared) {
    const where = [...at, "requestParameters", name];
    const match = METHOD_PARAM.exec(name);
    if (!match) {
      problems.push({ path: where, at: "key", message: "a method request parameter is method.request.(path|header|querystring).<name>" });
    } else if (match[1] === "path" && !variables.has(match[2] ?? "")) {
      const hint = closest(match[2] ?? "", [...variables]);
      problems.push({
        path: where,
        at: "key",
        message: `path parameter ${quote(match[2])} is not a variable of the resource path ${quote(resourcePath)}${hint ? `; did you mean "${hint}"?` : ""}`,
      });
    }
  }
  return problems;
}

/** What the integration calls, and with which role. */
function checkIntegrationTarget(integration: IntegrationSpec, iat: FieldPath, context: CheckContext): CheckProblem[] {
  const problems: CheckProblem[] = [];
  if (integration.type !== "MOCK") {
    if (integration.uri === undefined) problems.push({ path: [...iat, "uri"], message: `is required for a ${integration.type} integration` });
    if (integration.httpMethod === undefined) problems.push({ path: [...iat, "httpMethod"], message: `is required for a ${integration.type} integration` });
  }
  if (integration.type === "AWS" && integration.uri !== undefined && /:s3:/.test(integration.uri) && integration.credentials === undefined) {
    problems.push({ path: [...iat, "credentials"], message: "an AWS integration to S3 needs credentials: a role ARN or { roleRef: <IamRole name> }" });
  }
  const credentials = integration.credentials;
  if (typeof credentials === "string" && !ROLE_ARN.test(credentials)) {
    problems.push({ path: [...iat, "credentials"], message: "must be a role ARN (arn:aws:iam::<account>:role/<name>) or { roleRef: <IamRole name> }" });
  } else if (typeof credentials === "object" && !context.roleNames.has(credentials.roleRef) && context.inUnreadFile?.(credentials.roleRef) !== true) {
    problems.push({
      path: [...iat, "credentials", "roleRef"],
      message: `no IamRole named ${quote(credentials.roleRef)} in the manifests${hintFrom(credentials.roleRef, [...context.roleNames])}`,
    });
  }
  if (typeof credentials === "object") problems.push(...checkSameAccount(credentials.roleRef, context.apiAccount ?? "", context, [...iat, "credentials", "roleRef"]));
  return problems;
}

/** An integration maps only from parameters its method declares (AWS refuses the others when written). */
function checkIntegrationMappings(integration: IntegrationSpec, declared: ReadonlySet<string>, iat: FieldPath): CheckProblem[] {
  const problems: CheckProblem[] = [];
  for (const [target, source] of Object.entries(integration.requestParameters ?? {})) {
    const where = [...iat, "requestParameters", target];
    if (!INTEGRATION_PARAM.test(target)) {
      problems.push({ path: where, at: "key", message: "an integration request parameter is integration.request.(path|header|querystring).<name>" });
    }
    const read = METHOD_PARAM.exec(source);
    if (read && !declared.has(source)) {
      // Suggest only a parameter of the same location, compared by its short name.
      const sameLocation = [...declared].flatMap((d) => {
        const m = METHOD_PARAM.exec(d);
        return m && m[1] === read[1] ? [m[2] ?? ""] : [];
      });
      const hint = closest(read[2] ?? "", sameLocation);
      problems.push({
        path: where,
        message: `reads ${clip(source, 120)}, which the method does not declare in requestParameters${hint ? `; did you mean "method.request.${read[1]}.${hint}"?` : ""}`,
      });
    }
  }
  return problems;
}

/** One default response at most; each status has a method response declaring the headers it maps. */
function checkIntegrationResponses(method: MethodSpec, integration: IntegrationSpec, iat: FieldPath): CheckProblem[] {
  const problems: CheckProblem[] = [];
  const responses = integration.responses ?? {};
  const defaults = Object.entries(responses).filter(([, r]) => r.selectionPattern === undefined || r.selectionPattern === "");
  if (defaults.length > 1) {
    problems.push({
      path: [...iat, "responses"],
      message: `only one integration response may omit selectionPattern (the default); found ${defaults.map(([code]) => code).join(", ")}`,
    });
  }
  for (const [code, response] of Object.entries(responses)) {
    const rat = [...iat, "responses", code];
    const methodResponse = method.responses?.[code];
    if (!methodResponse) {
      problems.push({ path: rat, at: "key", message: `status ${code} has no method response; declare responses.${code} on the method` });
    }
    if (response.selectionPattern !== undefined) problems.push(...checkSelectionPattern(response.selectionPattern, [...rat, "selectionPattern"]));
    for (const header of Object.keys(response.responseParameters ?? {})) {
      if (!RESPONSE_HEADER.test(header)) {
        problems.push({ path: [...rat, "responseParameters", header], at: "key", message: "a response parameter is method.response.header.<name>" });
      } else if (methodResponse && !(header in (methodResponse.responseParameters ?? {}))) {
        problems.push({ path: [...rat, "responseParameters", header], at: "key", message: `maps ${clip(header, 120)}, which method response ${code} does not declare` });
      }
    }
  }
  return problems;
}

function checkMethodSettingKey(key: string, spec: RestApiDocument["spec"]): string | undefined {
  if (key === "*/*") return undefined;
  const slash = key.lastIndexOf("/");
  if (slash < 0) return `${quote(key)}: keys are */* or <resource path>/<METHOD>, e.g. /{folder}/GET`;
  const path = slash <= 0 ? "/" : key.slice(0, slash);
  const verb = key.slice(slash + 1);
  const normal = (p: string) => (p === "/" ? "/" : p.replace(/\/+$/, ""));
  const resource = Object.entries(spec.resources).find(([declared]) => normal(declared) === normal(path))?.[1];
  if (!resource) return `${quote(key)}: no resource ${quote(path)}; keys are */* or <resource path>/<METHOD>`;
  if (!(verb in (resource.methods ?? {}))) return `${quote(key)}: resource ${quote(path)} has no ${clip(verb, 20)} method`;
  return undefined;
}

/**
 * API Gateway compiles a selection pattern with java.util.regex.Pattern: what Java refuses is an error (the
 * pattern itself is not quoted: it may be megabytes); Java-only syntax, which JavaScript tools read otherwise
 * and this check follows only as far as Java's grammar, is a warning.
 */
function checkSelectionPattern(pattern: string, path: FieldPath): CheckProblem[] {
  const { errors, warnings } = checkJavaRegex(pattern);
  const error = errors[0];
  if (error) return [{ path, message: `is not a valid Java regular expression (API Gateway evaluates selection patterns with Java): ${formatJavaRegexIssue(error)}` }];
  if (warnings.length === 0) return [];
  return [{ path, severity: "warning", message: `uses Java-only syntax, checked here only as far as Java's grammar: ${warnings.map(formatJavaRegexIssue).join("; ")}` }];
}

function hintFrom(word: string, candidates: string[]): string {
  const hint = closest(word, candidates);
  return hint === undefined ? "" : `; did you mean "${hint}"?`;
}
