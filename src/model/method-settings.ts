// Stage method settings. AWS answers every field, defaults included; a manifest lists a few. Both sides
// drop default values (and keys left with nothing) so that they compare equal.
import { ownValue } from "./own.ts";
import type { MethodSettingModel } from "./types.ts";

export const METHOD_SETTING_DEFAULTS: Required<MethodSettingModel> = {
  loggingLevel: "OFF",
  dataTraceEnabled: false,
  metricsEnabled: false,
  throttlingBurstLimit: 5000,
  throttlingRateLimit: 10000,
  cachingEnabled: false,
  cacheTtlInSeconds: 300,
  cacheDataEncrypted: false,
  requireAuthorizationForCacheControl: true,
  unauthorizedCacheControlHeaderStrategy: "SUCCEED_WITH_RESPONSE_HEADER",
};

/** The stage-wide entry; every method entry starts as a copy of it. */
export const ALL_METHODS = "*/*";

/**
 * `*\/*` without its default values (AWS answers every field; a manifest lists a few). A method's entry
 * keeps what it says, defaults included: there a default is an override of the stage-wide value, and
 * AWS reports the whole entry (copied from `*\/*` when it was created).
 */
export function normalizeMethodSettings(settings: Record<string, MethodSettingModel>): Record<string, MethodSettingModel> {
  const kept = Object.entries(settings).map(([key, setting]): [string, MethodSettingModel] => [key, key === ALL_METHODS ? withoutDefaults(setting) : withoutInherited(setting)]);
  // fromEntries: every key stays an own entry, whatever its name. A method entry is kept even when empty.
  return Object.fromEntries(kept.filter(([key, setting]) => key !== ALL_METHODS || Object.keys(setting).length > 0));
}

function withoutDefaults(setting: MethodSettingModel): MethodSettingModel {
  const defaults: { readonly [field: string]: unknown } = METHOD_SETTING_DEFAULTS;
  return Object.fromEntries(Object.entries(setting).filter(([field, value]) => value !== undefined && value !== ownValue(defaults, field) && !inherited(field, value)));
}

function withoutInherited(setting: MethodSettingModel): MethodSettingModel {
  return Object.fromEntries(Object.entries(setting).filter(([field, value]) => value !== undefined && !inherited(field, value)));
}

/**
 * The value a setting has for one entry: its own, else (a method entry) the stage-wide one, else AWS's
 * default. A method entry's throttling of -1 means "the stage's" (normalised away above).
 */
export function effectiveSetting(settings: Record<string, MethodSettingModel>, key: string, field: keyof MethodSettingModel): unknown {
  const own = ownValue(settings, key)?.[field];
  if (own !== undefined) return own;
  if (key !== ALL_METHODS) return effectiveSetting(settings, ALL_METHODS, field);
  return METHOD_SETTING_DEFAULTS[field];
}

/** A method's own settings report throttling -1: "inherit the stage's" (how AWS shows an unset limit there). */
function inherited(field: string, value: unknown): boolean {
  return (field === "throttlingBurstLimit" || field === "throttlingRateLimit") && value === -1;
}

/** AWS keys a method's settings `{folder}/GET` (or `~1{folder}/GET`, as patched); manifests write the resource path as elsewhere: `/{folder}/GET`. */
export function settingsKeyFromAws(key: string): string {
  if (key === "*/*") return key;
  const plain = key.replace(/~1/g, "/").replace(/~0/g, "~");
  // The root resource's methods are keyed `~1/GET` when patched as `/~1/GET/…`.
  if (plain.startsWith("//")) return plain.slice(1);
  return plain.startsWith("/") ? plain : `/${plain}`;
}

/** Patch-path prefix of a settings key: `/*\/*` or `/~1{folder}/GET` (the resource path's slashes as ~1). */
export function settingsPatchPrefix(key: string): string {
  if (key === "*/*") return "/*/*";
  const slash = key.lastIndexOf("/");
  const resourcePath = key.slice(0, slash) || "/";
  return `/${resourcePath.replace(/~/g, "~0").replace(/\//g, "~1")}/${key.slice(slash + 1)}`;
}
