/**
 * Just enough of the Dockerfile format for the deploy specs to read ours: instructions with
 * their line continuations joined and comments dropped, grouped into stages, and the JSON
 * (exec) form of CMD and HEALTHCHECK. Not a Dockerfile implementation.
 */
export interface Instruction {
  keyword: string;
  args: string;
  /** 1-based line of the instruction's first line. */
  line: number;
}

export interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  let pending = '';
  let startLine = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trimEnd();
    if (pending === '' && (line.trim() === '' || line.trimStart().startsWith('#'))) continue;
    if (pending !== '' && line.trimStart().startsWith('#')) continue; // comments inside a continuation
    if (pending === '') startLine = i + 1;
    const continued = line.endsWith('\\');
    pending += (pending ? ' ' : '') + (continued ? line.slice(0, -1) : line).trim();
    if (continued) continue;
    const m = /^(\S+)\s*(.*)$/.exec(pending)!;
    pending = '';
    const ins: Instruction = { keyword: m[1].toUpperCase(), args: m[2], line: startLine };
    if (ins.keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!from) throw new Error(`line ${ins.line}: FROM ${ins.args}`);
      stages.push({ image: from[1], name: from[2], instructions: [] });
    } else {
      if (stages.length === 0) throw new Error(`line ${ins.line}: ${ins.keyword} before FROM`);
      stages[stages.length - 1].instructions.push(ins);
    }
  }
  return stages;
}

/** The exec (JSON array) form of CMD/ENTRYPOINT/RUN arguments; throws for the shell form. */
export function execForm(args: string): string[] {
  const v: unknown = JSON.parse(args);
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new Error(`not an exec form: ${args}`);
  return v;
}

/** HEALTHCHECK's options and its command (exec form). */
export function healthcheck(args: string): { options: Record<string, string>; command: string[] } {
  const at = args.indexOf('CMD ');
  if (at < 0) throw new Error(`HEALTHCHECK without CMD: ${args}`);
  const options: Record<string, string> = {};
  for (const m of args.slice(0, at).matchAll(/--([a-z-]+)=(\S+)/g)) options[m[1]] = m[2];
  return { options, command: execForm(args.slice(at + 4)) };
}

export function only(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((i) => i.keyword === keyword);
}
