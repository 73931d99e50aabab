// Why a UsagePlan change widens who can call an API, or how much: a key enabled or added to the plan, a stage
// added (the plan's keys now reach it), a throttle or quota lifted. The engine mirrors drift changes first,
// so these read the same for "healing does this" and "someone did this out of band".
import type { Change, FieldChange } from "../../model/changes.ts";
import { splitStage } from "./model.ts";

export function securityNotes(change: Change): string[] {
  const key = change.id.apiKey ?? "";
  switch (`${change.kind}:${change.action}`) {
    case "ApiKey:create":
    case "ApiKey:replace":
      return change.fields.some((f) => f.field === "enabled" && f.after === false) ? [] : [`API key ${key} is enabled and can call the plan's API stages`];
    case "ApiKey:update":
      return change.fields.some((f) => f.field === "enabled" && f.after === true) ? [`enables API key ${key}: it can call the plan's API stages again`] : [];
    case "UsagePlanKey:create":
      return [`adds API key ${key} to the plan: it can call the plan's API stages`];
    case "UsagePlan:create":
    case "UsagePlan:update":
      return change.fields.flatMap(planNotes);
    default:
      return [];
  }
}

function planNotes(field: FieldChange): string[] {
  if (field.field === "apiStages") {
    const before = new Set((field.before as string[] | undefined) ?? []);
    return ((field.after as string[] | undefined) ?? [])
      .filter((s) => !before.has(s))
      .map((s) => {
        const { api, stage } = splitStage(s);
        return `the plan's keys can call RestApi ${api} stage ${stage}`;
      });
  }
  if ((field.field === "throttle" || field.field === "quota") && field.after === undefined && field.before !== undefined) return [`removes the plan's ${field.field}: its keys are no longer limited by it`];
  const { before, after } = field;
  if (typeof before !== "number" || typeof after !== "number" || after <= before) return [];
  if (/^(throttle\.(burstLimit|rateLimit)|quota\.limit)$/.test(field.field)) return [`raises ${field.field} from ${before} to ${after}`];
  return [];
}
