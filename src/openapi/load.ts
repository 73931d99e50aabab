// Reading a Swagger 2.0 / OpenAPI 3.x file (JSON or YAML) with @apidevtools/swagger-parser: it parses,
// resolves every $ref and validates the document against its specification's schema. The named schemas
// (definitions / components.schemas) are recorded by object identity first: dereferencing replaces a
// `$ref: '#/definitions/Empty'` by that very object, which is how a response's model is known by name.
import SwaggerParser from "@apidevtools/swagger-parser";
import type { OpenAPI } from "openapi-types";
import { isObject, objectAt, type JsonObject } from "./json.ts";

export class OpenApiError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = "OpenApiError";
  }
}

export interface LoadedDefinition {
  document: JsonObject;
  /** Named schema object → its name. */
  models: Map<object, string>;
}

/** A file (path), or a document already read (tests); `label` names it in errors. */
export async function loadDefinition(source: string | JsonObject, label = typeof source === "string" ? source : "<document>"): Promise<LoadedDefinition> {
  const parser = new SwaggerParser();
  try {
    // validate() parses, dereferences (in place, keeping object identity) and validates.
    const input = typeof source === "string" ? source : (structuredClone(source) as unknown as OpenAPI.Document);
    const api: unknown = await parser.validate(input);
    if (!isObject(api)) throw new Error("not an OpenAPI document");
    return { document: api, models: namedSchemas(api) };
  } catch (error) {
    throw new OpenApiError(label, error instanceof Error ? error.message : String(error));
  }
}

function namedSchemas(document: JsonObject): Map<object, string> {
  const schemas = isObject(document.definitions) ? document.definitions : objectAt(objectAt(document.components).schemas);
  const models = new Map<object, string>();
  for (const [name, schema] of Object.entries(schemas)) if (isObject(schema)) models.set(schema, name);
  return models;
}
