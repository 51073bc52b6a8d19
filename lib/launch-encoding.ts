/**
 * The numbers of an index launch, written into one Float64Array that the
 * binding reads as memory (cpp/napi/index_launch_encoding.h has the layout):
 * a dozen named-property reads per launch and eight per requirement cost
 * more in N-API than the task they launch.
 * @internal
 */
import type { RectLike } from './geometry';

/** Offsets of the header (IndexLaunchHeader in index_launch_encoding.h). */
export const enum IndexHeader {
  Task = 0,
  Variant = 1,
  Parent = 2,
  Mapper = 3,
  Tag = 4,
  Dim = 5,
  Lo = 6,
  Hi = 9,
  RequirementCount = 12,
  Size = 13,
}

/** RequirementKind in index_launch_encoding.h. */
export const enum RequirementKind {
  Region = 0,
  Identity = 1,
  Offset = 2,
  Colors = 3,
}

/**
 * A reusable writer: `begin` starts a launch, the requirements append, and
 * `encoded` is what the binding gets. It grows (never shrinks) when a launch
 * needs more room; the binding reads it whole before it can run any JS, so
 * one writer serves nested launches too.
 * @internal
 */
export class LaunchEncoder {
  private buffer = new Float64Array(256);
  private length = 0;

  /** Starts a launch of `task` over `domain` with its scalar options. */
  begin(task: number, domain: RectLike, variant: number, parent: number, mapper: number, tag: number): void {
    const b = this.buffer;
    b[IndexHeader.Task] = task;
    b[IndexHeader.Variant] = variant;
    b[IndexHeader.Parent] = parent;
    b[IndexHeader.Mapper] = mapper;
    b[IndexHeader.Tag] = tag;
    const dim = domain.lo.length;
    b[IndexHeader.Dim] = dim;
    for (let d = 0; d < 3; d++) {
      b[IndexHeader.Lo + d] = d < dim ? domain.lo[d] : 0;
      b[IndexHeader.Hi + d] = d < dim ? domain.hi[d] : 0;
    }
    b[IndexHeader.RequirementCount] = 0;
    this.length = IndexHeader.Size;
  }

  /** Appends one requirement's numbers; `offset` only for RequirementKind.Offset. */
  requirement(
    kind: RequirementKind,
    tree: number,
    node: number,
    privilege: number,
    redop: number,
    coherence: number,
    fields: readonly number[],
    offset?: readonly number[],
  ): void {
    const need = 7 + fields.length + (offset ? 1 + offset.length : 0);
    if (this.length + need > this.buffer.length) this.grow(this.length + need);
    const b = this.buffer;
    let at = this.length;
    b[at++] = kind;
    b[at++] = tree;
    b[at++] = node;
    b[at++] = privilege;
    b[at++] = redop;
    b[at++] = coherence;
    b[at++] = fields.length;
    for (const f of fields) b[at++] = f;
    if (offset) {
      b[at++] = offset.length;
      for (const c of offset) b[at++] = c;
    }
    this.length = at;
    b[IndexHeader.RequirementCount]++;
  }

  /**
   * The encoded launch: the writer's whole storage, valid until the next
   * begin (what follows the last requirement is never read: the header
   * counts them).
   */
  encoded(): Float64Array {
    return this.buffer;
  }

  private grow(atLeast: number): void {
    let size = this.buffer.length * 2;
    while (size < atLeast) size *= 2;
    const bigger = new Float64Array(size);
    bigger.set(this.buffer.subarray(0, this.length));
    this.buffer = bigger;
  }
}
