// What commander would refuse in a command line, read from the CLI's own program: the examples and the
// Dockerfile's CMD are checked against the flags `reconcile` really accepts.
import type { Command } from "commander";

/**
 * What commander would refuse in `argv` (a command and its flags), read from the program's own options:
 * unknown command, unknown flag, missing value, value outside the option's choices, a value given to a
 * boolean flag, a stray argument. Values after a variadic option (`-m a b`) belong to it.
 */
export function cliProblems(cli: Command, argv: readonly string[]): string[] {
  const [name, ...rest] = argv;
  const command = cli.commands.find((c) => c.name() === name || c.aliases().includes(name ?? ""));
  if (!command) return [`command ${name ?? "(none)"} unknown (the CLI has: ${cli.commands.map((c) => c.name()).join(", ")})`];
  const problems: string[] = [];
  let variadic = false;
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i]!;
    if (!token.startsWith("-") || token === "-") {
      if (!variadic) problems.push(`${name}: unexpected argument "${token}"`);
      continue;
    }
    variadic = false;
    const eq = token.startsWith("--") ? token.indexOf("=") : -1;
    const flag = eq < 0 ? token : token.slice(0, eq);
    const option = command.options.find((o) => o.long === flag || o.short === flag);
    if (!option) {
      problems.push(`${name}: unknown option ${flag}`);
      continue;
    }
    if (!option.required && !option.optional) {
      if (eq >= 0) problems.push(`${name}: ${flag} takes no value`);
      continue;
    }
    let value = eq >= 0 ? token.slice(eq + 1) : undefined;
    const next = rest[i + 1];
    if (value === undefined && next !== undefined && !next.startsWith("-")) value = rest[++i];
    if (value === undefined && option.required) problems.push(`${name}: ${flag} needs a value`);
    if (value !== undefined && option.argChoices && !option.argChoices.includes(value)) problems.push(`${name}: ${flag} ${value} is not one of ${option.argChoices.join(", ")}`);
    variadic = option.variadic;
  }
  return problems;
}

