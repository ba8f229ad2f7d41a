/**
 * How `--help` reads, as git's, gh's or aws's does: the command's summary, its usage line,
 * then one line per command (or argument, or flag) in aligned columns, each line at most
 * {@link maxWidth} columns (long descriptions wrap under their column). The root lists the
 * global flags (the connection flags, `--help`, `--version`) in full; a command names them
 * in one line and points at the root's help, so they are shown in full once.
 *
 * Everything printed comes from the `HelpDoc` that effect/cli builds from the command
 * definitions (names, descriptions, short descriptions, groups, flags); only the layout is
 * ours. A description's first paragraph is its summary; further paragraphs (separated by a
 * blank line) close the help.
 *
 * @internal
 */
import type * as HelpDoc from "effect/cli/HelpDoc"
import * as CliOutput from "effect/cli/CliOutput"
import * as Option from "effect/Option"

/** The widest help line, whatever the terminal: wider text is hard to read. */
export const maxWidth = 100

/** How help is rendered. */
export interface Options {
  /** ANSI styles (bold headings, coloured names). */
  readonly colors: boolean
  /** The width to wrap at; {@link maxWidth} at most. */
  readonly width: number
}

/** The width for a stream: its columns on a terminal (never under 60), and {@link maxWidth} at most. */
export const widthOf = (stream: { readonly isTTY?: boolean | undefined; readonly columns?: number | undefined }) =>
  stream.isTTY === true && stream.columns !== undefined && stream.columns > 0
    ? Math.max(60, Math.min(maxWidth, stream.columns))
    : maxWidth

interface Style {
  readonly heading: (text: string) => string
  readonly name: (text: string) => string
  readonly flag: (text: string) => string
  readonly dim: (text: string) => string
}

const styled = (colors: boolean): Style => {
  const sgr = (code: string) => (text: string) => (colors ? `\u001b[${code}m${text}\u001b[0m` : text)
  return { heading: sgr("1"), name: sgr("36"), flag: sgr("32"), dim: sgr("2") }
}

/** `text` broken into lines of at most `width` columns (a single longer word stays whole). */
export const wrap = (text: string, width: number): ReadonlyArray<string> => {
  const lines: Array<string> = []
  let line = ""
  for (const word of text.split(/\s+/).filter((word) => word !== "")) {
    if (line !== "" && CliOutput.displayWidth(line) + 1 + CliOutput.displayWidth(word) > width) {
      lines.push(line)
      line = word
    } else line = line === "" ? word : `${line} ${word}`
  }
  if (line !== "") lines.push(line)
  return lines
}

/** A paragraph indented by `indent` and wrapped to `width`. */
const paragraph = (text: string, indent: number, width: number): ReadonlyArray<string> =>
  wrap(text, width - indent).map((line) => `${" ".repeat(indent)}${line}`)

interface Row {
  readonly left: string
  readonly right: string
}

/**
 * Rows as two columns, the right one starting at `column`; a right side too long for the
 * line wraps under its column, and a left side too wide for its column pushes its right side
 * to the next line.
 */
const table = (rows: ReadonlyArray<Row>, column: number, width: number): ReadonlyArray<string> =>
  rows.flatMap(({ left, right }) => {
    const head = `  ${left}`
    const body = wrap(right, width - column)
    const pad = (text: string) => text + " ".repeat(Math.max(0, column - CliOutput.displayWidth(text)))
    if (body.length === 0) return [head]
    const indent = " ".repeat(column)
    if (CliOutput.displayWidth(head) + 2 > column) return [head, ...body.map((line) => `${indent}${line}`)]
    return [`${pad(head)}${body[0]}`, ...body.slice(1).map((line) => `${indent}${line}`)]
  })

/** The summary and the paragraphs after it. */
const paragraphs = (description: string): { readonly summary: string; readonly more: ReadonlyArray<string> } => {
  const [summary = "", ...more] = description
    .split(/\n\s*\n/)
    .map((text) => text.trim())
    .filter((text) => text !== "")
  return { summary, more }
}

const flagLeft = (flag: HelpDoc.FlagDoc, style: Style): string => {
  const short = flag.aliases.filter((alias) => /^-[^-]/.test(alias))
  const long = flag.aliases.filter((alias) => !/^-[^-]/.test(alias))
  const names = [...short, `--${flag.name}`, ...long].map(style.flag).join(", ")
  return flag.type === "boolean" ? names : `${names} ${style.dim(`<${flag.type}>`)}`
}

const argumentLeft = (argument: HelpDoc.ArgDoc, style: Style): string => {
  const name = `<${argument.name}>${argument.variadic ? "..." : ""}`
  return style.name(argument.required ? name : `[${name}]`)
}

/** The help of a command (or of the root, whose path has one name), as `--help` prints it. */
export const format = (doc: HelpDoc.HelpDoc, options: Options): string => {
  const width = Math.min(options.width, maxWidth)
  const style = styled(options.colors)
  const path = doc.commandPath ?? []
  const isRoot = path.length <= 1
  const { summary, more } = paragraphs(doc.description)

  const subcommandRows = (doc.subcommands ?? []).map((group) => ({
    title: group.group ?? "Commands",
    rows: group.commands.map((command) => ({
      left: style.name(command.alias === undefined ? command.name : `${command.name}, ${command.alias}`),
      right: command.shortDescription ?? paragraphs(command.description).summary
    }))
  }))
  const argumentRows = (doc.args ?? []).map((argument) => ({
    left: argumentLeft(argument, style),
    right: Option.getOrElse(argument.description, () => "")
  }))
  const flagRows = (flags: ReadonlyArray<HelpDoc.FlagDoc> | undefined) =>
    (flags ?? []).map((flag) => {
      const description = Option.getOrElse(flag.description, () => "")
      return {
        left: flagLeft(flag, style),
        // A metavar such as `srp|password` lists the choices already: effect/cli's "(choices: …)" would repeat them.
        right: flag.type.includes("|") ? description.replace(/ \(choices: [^)]*\)$/, "") : description
      }
    })
  const ownFlags = flagRows(doc.flags)
  const inheritedFlags = flagRows(doc.inheritedFlags)
  const globalFlags = isRoot ? flagRows(doc.globalFlags) : []
  const sections: Array<{ readonly title: string; readonly rows: ReadonlyArray<Row> }> = [
    ...subcommandRows,
    { title: "Arguments", rows: argumentRows },
    { title: "Flags", rows: ownFlags },
    { title: "Inherited flags", rows: inheritedFlags },
    { title: "Global flags", rows: globalFlags }
  ].filter((section) => section.rows.length > 0)

  // One column for every table, so the help reads as one grid, at most 40% of the width in;
  // a name too wide for it has its description on the next line.
  const limit = Math.floor(width * 0.4)
  const lefts = sections.flatMap((section) => section.rows.map((row) => CliOutput.displayWidth(row.left) + 4))
  const column = Math.max(8, ...lefts.filter((left) => left <= limit))

  const lines: Array<string> = []
  if (summary !== "") lines.push(...paragraph(summary, 0, width), "")
  const usage = isRoot ? doc.usage.replace("<subcommand>", "<command>") : doc.usage
  lines.push(...wrap(`${style.heading("Usage:")} ${usage}`, width), "")
  for (const section of sections)
    lines.push(style.heading(`${section.title}:`), ...table(section.rows, column, width), "")
  if (!isRoot && (doc.globalFlags ?? []).length > 0) {
    const names = (doc.globalFlags ?? []).map((flag) => `--${flag.name}`).join(", ")
    const root = path[0] ?? ""
    lines.push(...wrap(`${style.heading("Global flags:")} ${names} (see ${root} --help)`, width), "")
  }
  if (doc.examples !== undefined && doc.examples.length > 0) {
    lines.push(style.heading("Examples:"))
    for (const example of doc.examples) {
      if (example.description !== undefined) lines.push(...paragraph(style.dim(`# ${example.description}`), 2, width))
      lines.push(`  ${example.command}`)
    }
    lines.push("")
  }
  for (const text of more) lines.push(...paragraph(text, 0, width), "")
  while (lines.at(-1) === "") lines.pop()
  return lines.join("\n")
}
