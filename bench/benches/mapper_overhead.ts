/**
 * mapper_overhead: index-launch throughput (launches/s, 16 points per
 * launch, the empty C++ task, no region requirements) with a TS mapper that
 * overrides sliceTask and mapTask, against the same launches placed by the
 * default C++ mapper, same run. ratio = cohort / baseline: the fraction of
 * the default's rate left with the TS mapper (1/ratio = its slowdown).
 *
 * The TS mapper answers what the default mapper answers (one slice over the
 * whole domain on any processor; the C++ variant on any worker for each
 * point), computed in TS: the figure isolates the cost of calling a TS
 * mapper (1 sliceTask + 16 mapTask calls per launch, each answer validated)
 * from any change of placement. As extra figures: pinned_launches_per_s, a
 * TS mapper that also places the work (slices of contiguous points pinned
 * to each CPU worker, mapTask naming the slice's worker), and mapper_calls_per_launch
 * (counted, to show both callbacks really ran).
 *
 * Timing as analysis_throughput's: K launches back to back with
 * `await rt.throttle()` every window / 64 launches, then a fence; first
 * launch to fence resolved (completion included).
 */
import type { MappableTask, MapTaskOutput, RectLike, TaskSlice } from '../../lib';
import { Mapper, Rect } from '../../lib';
import {
  BenchContext,
  BenchDefinition,
  BenchMeasurement,
  collectGarbage,
  interleave,
  median,
  Sample,
} from '../harness';
import { launchRateSample } from './analysis_throughput';

const POINTS = 16;

/** The default mapper's answers, from TS. */
class DefaultLikeMapper extends Mapper {
  calls = 0;
  constructor() {
    super('bench.default-like');
  }
  override sliceTask(_task: MappableTask, domain: RectLike): TaskSlice[] {
    this.calls++;
    return [{ domain, processor: -1 }];
  }
  override mapTask(_task: MappableTask): MapTaskOutput {
    this.calls++;
    return { variant: 'cpp' };
  }
}

/** Contiguous blocks of points pinned to the CPU workers. */
class BlockPinningMapper extends Mapper {
  calls = 0;
  private cpus: number[] = [];
  constructor() {
    super('bench.block-pinning');
  }
  private workers(): number[] {
    if (this.cpus.length === 0) this.cpus = this.machine.processors.filter((p) => p.kind === 'cpu').map((p) => p.id);
    return this.cpus;
  }
  private owner(point: number, domain: RectLike): number {
    const cpus = this.workers();
    const lo = domain.lo[0];
    const n = domain.hi[0] - lo + 1;
    return cpus[Math.floor(((point - lo) * cpus.length) / n)];
  }
  override sliceTask(_task: MappableTask, domain: RectLike): TaskSlice[] {
    this.calls++;
    const cpus = this.workers();
    const lo = domain.lo[0];
    const n = domain.hi[0] - lo + 1;
    const slices: TaskSlice[] = [];
    for (let i = 0; i < cpus.length; i++) {
      const a = lo + Math.floor((n * i) / cpus.length);
      const b = lo + Math.floor((n * (i + 1)) / cpus.length) - 1;
      if (b >= a) slices.push({ domain: Rect(a, b), processor: cpus[i] });
    }
    return slices;
  }
  override mapTask(task: MappableTask): MapTaskOutput {
    this.calls++;
    return { variant: 'cpp', targetProcessors: [this.owner(task.point![0], task.launchDomain!)] };
  }
}

// Mapper ids used only by this bench.
const DEFAULT_LIKE_ID = 9101;
const PINNING_ID = 9102;
const registered = new WeakMap<object, { defaultLike: DefaultLikeMapper; pinning: BlockPinningMapper }>();

function mappers(ctx: BenchContext): { defaultLike: DefaultLikeMapper; pinning: BlockPinningMapper } {
  let m = registered.get(ctx.rt);
  if (!m) {
    m = { defaultLike: new DefaultLikeMapper(), pinning: new BlockPinningMapper() };
    ctx.rt.addMapper(DEFAULT_LIKE_ID, m.defaultLike);
    ctx.rt.addMapper(PINNING_ID, m.pinning);
    registered.set(ctx.rt, m);
  }
  return m;
}

export const mapperOverhead: BenchDefinition = {
  name: 'mapper_overhead',
  unit: 'launches/s',
  better: 'higher',
  baseline: 'same launches, default C++ mapper',
  async run(ctx: BenchContext): Promise<BenchMeasurement> {
    const { lib } = ctx;
    const m = mappers(ctx);
    const launches = ctx.quick ? 500 : 2_000;
    const r = await interleave({
      reps: ctx.reps,
      cohort: async (): Promise<Sample> => {
        const before = m.defaultLike.calls;
        const issued = { launches: 0 };
        const s = await launchRateSample(ctx, lib.empty, POINTS, launches, { mapper: DEFAULT_LIKE_ID }, issued);
        const callsPerLaunch = (m.defaultLike.calls - before) / issued.launches;
        if (callsPerLaunch !== 1 + POINTS) {
          throw new Error(
            `mapper_overhead: the TS mapper was called ${callsPerLaunch} times per launch, expected ${1 + POINTS}`,
          );
        }
        return { value: s.value, extra: { ...s.extra, mapper_calls_per_launch: callsPerLaunch } };
      },
      baseline: () => launchRateSample(ctx, lib.empty, POINTS, launches, {}),
    });
    // The placing mapper: 3 samples after the interleaved ones, median (an extra figure only).
    const pinnedSamples: number[] = [];
    for (let i = 0; i < 3; i++) {
      collectGarbage();
      pinnedSamples.push((await launchRateSample(ctx, lib.empty, POINTS, launches, { mapper: PINNING_ID })).value);
    }
    const pinned = median(pinnedSamples);
    if (m.pinning.calls === 0) throw new Error('mapper_overhead: the pinning mapper was never called');
    return {
      cohort: r.cohort.value,
      baseline: r.baseline.value,
      cohortSamples: r.cohort.samples,
      baselineSamples: r.baseline.samples,
      extra: {
        points: POINTS,
        launches_per_batch: launches,
        issue_launches_per_s: r.cohort.extra.issue_launches_per_s,
        baseline_issue_launches_per_s: r.baseline.extra.issue_launches_per_s,
        mapper_calls_per_launch: r.cohort.extra.mapper_calls_per_launch,
        pinned_launches_per_s: pinned,
        wait: 'included',
      },
    };
  },
};
