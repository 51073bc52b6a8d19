/**
 * A readable listing of an oracle program: its regions and partitions (with
 * each piece's points), then one operation per line, traces and nested
 * parents with their bodies and children indented below them. Launches are
 * named @uid (the op number their kernel mixes into its digest); `<- @u`
 * lists the futures a launch takes.
 */
import { fmtBox, fmtPoint } from './geometry';
import { Child, FillOp, FutureRef, isRedop, LaunchOp, NestedOp, nodeName, Program, ReqDecl } from './program';

function fieldList(fields: number[]): string {
  return fields.map((f) => `f${f}`).join(',');
}

function reqText(prog: Program, r: ReqDecl): string {
  const target =
    r.node !== undefined ? nodeName(prog, r.node) : `P${r.part}` + (r.offset ? `+${fmtPoint(r.offset)}` : '');
  const priv = isRedop(r.priv) ? `reduce(${r.priv})` : r.priv;
  return `${r.atomic ? 'atomic ' : ''}${priv} ${target}.${fieldList(r.fields)}`;
}

function futuresText(fs: readonly FutureRef[]): string {
  return fs.length ? ` <- ${fs.map((f) => `@${f.uid}${f.point ? `[${fmtPoint(f.point)}]` : ''}`).join(', ')}` : '';
}

function fillText(prog: Program, op: FillOp): string {
  return `fill ${nodeName(prog, op.node)}.${fieldList(op.fields)} = ${op.value}${op.bigint ? 'n' : ''}`;
}

function launchText(prog: Program, op: LaunchOp): string {
  const reqs = op.reqs.map((r) => reqText(prog, r)).join('; ') || '(no regions)';
  const where = op.kind === 'index' ? ` ${fmtBox(op.domain)}` : '';
  const delay = op.delay && op.variant === 'cpp' ? ` (delay ${op.delay}us)` : '';
  return `@${op.uid} ${op.kind}/${op.variant}${where} ${reqs}${futuresText(op.futures)}${delay}`;
}

function nestedLines(prog: Program, op: NestedOp, indent: string, suffix: string, out: string[]): void {
  const reqs = op.reqs.map((r) => reqText(prog, r)).join('; ') || '(no regions)';
  out.push(`${indent}@${op.uid} nested/ts${op.own ? ' own' : ''} ${reqs}${suffix} {`);
  const pad = ' '.repeat(indent.length);
  for (const c of op.children) childLines(prog, c, pad + '    ', out);
  out.push(`${pad}}`);
}

function childLines(prog: Program, c: Child, indent: string, out: string[]): void {
  const suffix = `${c.await ? ' (awaited)' : ''}${c.violation ? `  VIOLATION ${c.violation}` : ''}`;
  if (c.kind === 'nested') nestedLines(prog, c, indent, suffix, out);
  else out.push(`${indent}${launchText(prog, c)}${suffix}`);
}

/** The program, one declaration or operation per line. */
export function formatProgram(prog: Program): string {
  const lines: string[] = [`program seed=${prog.seed}${prog.checks ? ' (checking mode)' : ''}`];
  for (const r of prog.regions)
    lines.push(`  R${r.tree} = region ${fmtBox(r.bounds)} {${r.fields.map((t, i) => `f${i}:${t}`).join(', ')}}`);
  for (const p of prog.parts) {
    const s = p.spec;
    const what =
      s.kind === 'equal'
        ? `equal(${nodeName(prog, p.node)}, colors ${fmtBox(s.colorSpace)})`
        : s.kind === 'blocks'
          ? `blocks(${nodeName(prog, p.node)}, block ${fmtPoint(s.block)}, halo ${fmtPoint(s.haloLo)}/${fmtPoint(s.haloHi)})`
          : `rects(${nodeName(prog, p.node)}, ${s.rects.map((rs) => rs.map(fmtBox).join('+') || '{}').join(' ')})`;
    const kids = p.children.map((c, i) => `${i}:${prog.nodes[c].rects.map(fmtBox).join('+') || '{}'}`).join(' ');
    lines.push(
      `  P${p.id} = ${what} ${p.disjoint ? 'disjoint' : 'aliased'}${p.op !== undefined ? ` (created by #${p.op})` : ''}; ${kids}`,
    );
  }
  prog.ops.forEach((op, i) => {
    const head = `  #${i} `;
    switch (op.kind) {
      case 'fill':
        lines.push(head + fillText(prog, op));
        break;
      case 'task':
      case 'index':
        lines.push(head + launchText(prog, op));
        break;
      case 'nested':
        nestedLines(prog, op, head, '', lines);
        break;
      case 'map':
        lines.push(
          `${head}map${op.deferred ? '(deferred)' : ''} ${op.write ? 'rw' : 'ro'} ${nodeName(prog, op.node)}.${fieldList(op.fields)}`,
        );
        break;
      case 'fence':
        lines.push(head + 'fence');
        break;
      case 'partition':
        lines.push(`${head}create ${op.parts.map((p) => `P${p}`).join(', ')}`);
        break;
      case 'trace':
        lines.push(`${head}trace, then replay(${op.times}) {`);
        for (const b of op.body) lines.push(`        ${b.kind === 'fill' ? fillText(prog, b) : launchText(prog, b)}`);
        lines.push('      }');
        break;
      case 'replay':
        lines.push(`${head}replay(${op.times}) of the trace of #${op.trace}`);
        break;
    }
  });
  return lines.join('\n');
}
