// The AWS calls, typed from the SDK's own commands: a call's name is a command of its client, its input
// that command's input type, its answer that command's output type. A misspelt call or input field fails
// to compile, in a read as in a planned operation.
import type * as APIGW from "@aws-sdk/client-api-gateway";
import type * as CloudTrail from "@aws-sdk/client-cloudtrail";
import type * as IAM from "@aws-sdk/client-iam";
import type { Ref, Service } from "../model/changes.ts";

/** `XxxCommand` classes of an SDK module, by call name `Xxx`. */
type CommandsOf<Module> = { [K in keyof Module as K extends `${infer Call}Command` ? (Call extends "$" ? never : Call) : never]: Module[K] };

interface Commands {
  apigateway: CommandsOf<typeof APIGW>;
  iam: CommandsOf<typeof IAM>;
  cloudtrail: CommandsOf<typeof CloudTrail>;
}

export type CallName<S extends Service> = keyof Commands[S] & string;

type InputOf<Command> = Command extends abstract new (...args: infer A) => unknown ? NonNullable<A[0]> : never;
type OutputOf<Command> = Command extends abstract new (...args: never[]) => infer Instance
  ? Instance extends { resolveMiddleware(...args: never[]): (...args: never[]) => Promise<{ output: infer Output }> }
    ? Output
    : never
  : never;

export type CallInput<S extends Service, C extends CallName<S>> = InputOf<Commands[S][C]>;
export type CallOutput<S extends Service, C extends CallName<S>> = OutputOf<Commands[S][C]>;

/** An input as a plan holds it: any string may still be a reference to an id an earlier operation answers. */
export type Planned<T> = T extends string
  ? T | (Ref & { format?: string })
  : T extends readonly (infer E)[]
    ? Planned<E>[]
    : T extends Date
      ? T
      : T extends object
        ? { [K in keyof T]: Planned<T[K]> }
        : T;

/** A call as a plan names it: service, call and input, checked against the SDK's types where it is written. */
export interface PlannedCall {
  service: Service;
  call: string;
  input: Record<string, unknown>;
}

export function sdkCall<S extends Service, C extends CallName<S>>(service: S, call: C, input: Planned<CallInput<S, C>>): PlannedCall {
  return { service, call, input: input as Record<string, unknown> };
}
