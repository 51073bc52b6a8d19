// Port of Legion's tutorial 09 (custom mapper): the daxpy of tutorial 07,
// mapped onto the machine by mappers written for this program.
//
// Mapping decisions never change what a program computes, only where and
// in which order its tasks run. To show that, the original registers an
// "adversarial" mapper that makes random decisions, and checks that the
// answer is still right. This port does the same, deterministically: the
// mapper draws from a seeded generator (seed from `-s`), so one seed always
// gives the same decisions on the same machine. It prints every decision,
// each task reports the processor it ran on, and the program checks that
// every task ran exactly where the mapper put it.
//
//   AdversarialMapper   replaces the default mapper (id 0), as the original
//                       does with replace_default_mapper:
//     selectTaskOptions  a single task gets a random processor of a random
//                        kind it has a variant for (Legion's initial_proc);
//                        an index launch gets a random such kind
//     sliceTask          the launch domain is cut into random-size chunks,
//                        each sent to a random processor of that kind
//                        (the CPU workers for the C++ tasks here)
//     mapTask            a random processor of the kind chosen above (as
//                        Legion's target_procs must match target_proc's kind),
//                        the variant for that kind, and a random priority
//   PartitioningMapper  registered with addMapper(PARTITIONING_MAPPER_ID);
//                       decides how many sub-regions to make: one per CPU
//                       processor (the original answers a tunable)
//
//   mapped_init_field (C++)  per block, write-discard x (then y)
//   mapped_daxpy (C++)       per block, read-only x, y and write-discard z
//   mapped_check (C++ + TS)  one task over the whole regions, read-only
//
// Options: -n elements (1024), -s seed (9), -ll:cpu workers (one per core).
import {
  MappableTask,
  Mapper,
  MapTaskOutput,
  ProcessorInfo,
  Rect,
  RectLike,
  Runtime,
  TaskOptions,
  TaskSlice,
} from '../lib';
import { tutorialKernels } from './paths';
import { Failure, intArg, random, runMain } from './tutorial-support';

const showRect = (r: RectLike): string => `[${r.lo.map((lo, d) => `${lo}..${r.hi[d]}`).join(', ')}]`;

// The tunable the partitioning mapper answers, and its mapper id (as in
// the original).
const SUBREGION_TUNABLE = 0;
const PARTITIONING_MAPPER_ID = 1;

type Variant = 'cpp' | 'ts';
type Kind = ProcessorInfo['kind'];
// Which processor kind runs which variant: C++ on the CPU workers, TS on the JS processor.
const VARIANT_FOR: Record<Kind, Variant> = { cpu: 'cpp', js: 'ts' };
const KIND_FOR: Record<Variant, Kind> = { cpp: 'cpu', ts: 'js' };

/** "name" for a single task, "name point p" for a point of an index launch. */
const taskKey = (name: string, point?: readonly number[]): string =>
  point ? `${name} point ${point.join(',')}` : name;

/**
 * Makes random (but seeded, so reproducible) mapping decisions and keeps
 * them, keyed by task name and point, so the program can check that every
 * task ran where the mapper put it.
 */
class AdversarialMapper extends Mapper {
  private readonly rand: () => number;
  /** Legion's task.target_proc: the processor chosen by selectTaskOptions or sliceTask. */
  private readonly initial = new Map<string, number>();
  /** The kind selectTaskOptions chose for the index launch being issued. */
  private launchKind: Kind = 'cpu';
  /** The final decisions (mapTask) of the launches issued since the last takeDecisions(). */
  private decisions = new Map<string, number>();

  /**
   * `variants`: which variants each task has. A Legion mapper asks the
   * runtime (find_task_variants); cohort's MappableTask does not say, so the
   * program tells the mapper. Tasks not listed get the default mapper's answers.
   */
  constructor(
    seed: number,
    private readonly variants: ReadonlyMap<string, readonly Variant[]>,
  ) {
    super('adversarial');
    this.rand = random(seed);
  }

  /** Prints the machine, as the original's mapper constructor does. */
  printMachine(): void {
    const { processors } = this.machine;
    console.log(`There are ${processors.length} processors:`);
    for (const p of processors)
      console.log(`  Processor ID ${p.id} is ${p.kind === 'cpu' ? 'CPU' : 'JS'} on rank ${p.rank}`);
  }

  /** The decisions made since the last call (one launch's, when called after each launch). */
  takeDecisions(): Map<string, number> {
    const d = this.decisions;
    this.decisions = new Map();
    return d;
  }

  override selectTaskOptions(task: MappableTask): TaskOptions {
    const kinds = this.kindsOf(task);
    if (kinds.length === 0) return {};
    const kind = this.pick(kinds);
    if (task.isIndexLaunch) {
      // The slices decide where the points go; they use this kind.
      this.launchKind = kind;
      return {};
    }
    const proc = this.pick(this.processorsOf(kind));
    this.initial.set(taskKey(task.name), proc.id);
    this.log(`selectTaskOptions ${task.name}: processor ${proc.id} (${kind})`);
    return { targetProcessor: proc.id };
  }

  override sliceTask(task: MappableTask, domain: RectLike): TaskSlice[] {
    if (this.kindsOf(task).length === 0) return [{ domain, processor: -1 }];
    // Random-size chunks along dimension 0, each on a random processor.
    const procs = this.processorsOf(this.launchKind);
    const slices: TaskSlice[] = [];
    for (let start = domain.lo[0]; start <= domain.hi[0];) {
      const end = start + this.int(domain.hi[0] - start + 1);
      const slice = Rect([start, ...domain.lo.slice(1)], [end, ...domain.hi.slice(1)]);
      const proc = this.pick(procs);
      slices.push({ domain: slice, processor: proc.id });
      for (let p = start; p <= end; p++) this.initial.set(taskKey(task.name, [p, ...domain.lo.slice(1)]), proc.id);
      start = end + 1;
    }
    this.log(
      `sliceTask ${task.name} ${showRect(domain)}: ${slices.map((s) => `${showRect(s.domain)} on processor ${s.processor}`).join(', ')}`,
    );
    return slices;
  }

  override mapTask(task: MappableTask): MapTaskOutput {
    const key = taskKey(task.name, task.point);
    const initial = this.initial.get(key);
    if (initial === undefined || this.kindsOf(task).length === 0) return {};
    this.initial.delete(key);
    // Any processor of the same kind as the one chosen before (Legion's
    // target_procs must match target_proc's kind), and a random priority.
    const kind = this.machine.processors.find((p) => p.id === initial)!.kind;
    const proc = this.pick(this.processorsOf(kind));
    const priority = this.int(100);
    this.decisions.set(key, proc.id);
    this.log(
      `mapTask ${key}: variant ${VARIANT_FOR[kind]} on processor ${proc.id} (initial processor ${initial}), priority ${priority}`,
    );
    return { variant: VARIANT_FOR[kind], targetProcessors: [proc.id], priority };
  }

  /** The kinds of processor that can run one of the task's variants (index launches: CPU only, as the brief's slices go to workers). */
  private kindsOf(task: MappableTask): Kind[] {
    const kinds = (this.variants.get(task.name) ?? []).map((v) => KIND_FOR[v]);
    return task.isIndexLaunch ? kinds.filter((k) => k === 'cpu') : kinds;
  }

  /** This rank's processors of one kind (a task runs on the rank that maps it). */
  private processorsOf(kind: Kind): ProcessorInfo[] {
    return this.machine.processors.filter((p) => p.kind === kind && p.rank === this.machine.rank);
  }

  private int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  private pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('adversarial mapper: nothing to choose from');
    return xs[this.int(xs.length)];
  }

  private log(line: string): void {
    console.log(`[adversarial mapper] ${line}`);
  }
}

/**
 * Answers the program's question "how many sub-regions?": one per CPU
 * processor of the machine. Legion's PartitioningMapper answers it in
 * select_tunable_value, which the program reaches through
 * runtime->select_tunable_value(ctx, SUBREGION_TUNABLE, PARTITIONING_MAPPER_ID).
 * cohort has no tunables, so here the program calls this method of the
 * registered mapper directly (the mapperArg route is not needed: nothing is
 * passed from the program to the mapper, only back).
 */
class PartitioningMapper extends Mapper {
  constructor() {
    super('partitioning');
  }

  selectTunableValue(tunable: number): number {
    if (tunable === SUBREGION_TUNABLE) return this.machine.processors.filter((p) => p.kind === 'cpu').length;
    throw new Error(`partitioning mapper: unknown tunable ${tunable}`);
  }
}

async function main(): Promise<void> {
  const numElements = intArg('-n', 1024);
  const seed = intArg('-s', 9, 0);
  const workers = process.argv.includes('-ll:cpu') ? intArg('-ll:cpu', 1) : undefined;
  const rt = await Runtime.start({ workers });
  const kernels = await rt.loadLibrary(tutorialKernels);
  const initField = kernels.task<[fieldId: number, seed: number], number>('mapped_init_field');
  const daxpy = kernels.task<[alpha: number], number>('mapped_daxpy');
  kernels.task('mapped_check'); // the C++ variant must be there (a stale library lacks it)

  // The TS variant of mapped_check (same name: it joins the C++ variant).
  // -> [wrong elements, processor it ran on]
  const check = rt.registerTask(
    'mapped_check',
    (ctx, alpha: number): [number, number] => {
      const x = ctx.region(0).field('x');
      const y = ctx.region(0).field('y');
      const z = ctx.region(1).field('z');
      let bad = 0;
      for (let i = 0; i < z.length; i++) {
        const expected = alpha * x[i] + y[i];
        if (expected !== z[i] && bad++ === 0) console.error(`element ${i} is ${z[i]}, expected ${expected}`);
      }
      return [bad, ctx.processor];
    },
    { leaf: true },
  );

  // Register the mappers (Legion does it in a registration callback, once
  // per processor; cohort has one mapper object per runtime).
  const adversary = new AdversarialMapper(
    seed,
    new Map<string, Variant[]>([
      ['mapped_init_field', ['cpp']],
      ['mapped_daxpy', ['cpp']],
      ['mapped_check', ['cpp', 'ts']],
    ]),
  );
  rt.replaceDefaultMapper(adversary);
  const partitioner = new PartitioningMapper();
  rt.addMapper(PARTITIONING_MAPPER_ID, partitioner);
  adversary.printMachine();

  // The partitioning mapper decides the number of sub-regions.
  const numSubregions = partitioner.selectTunableValue(SUBREGION_TUNABLE);
  console.log(`Running daxpy for ${numElements} elements (mapper seed ${seed})...`);
  console.log(`Partitioning data into ${numSubregions} sub-regions...`);
  if (numSubregions > numElements)
    throw new Failure(`-n ${numElements}: cannot make ${numSubregions} sub-regions of fewer elements`);

  const elems = Rect(0, numElements - 1);
  const input = rt.createRegion(elems, { x: 'f64', y: 'f64' });
  const output = rt.createRegion(elems, { z: 'f64' });
  const fid = (name: string): number => input.tree.fieldIds.get(name)!;
  const inputLp = rt.partitionEqual(input, numSubregions);
  const outputLp = rt.partitionEqual(output, numSubregions);
  const colors = Rect(0, numSubregions - 1);

  // Every launch, with the decisions the mapper made for it (mapper calls
  // happen while the launch is issued) and where its tasks report they ran.
  const launches: { name: string; decisions: Map<string, number>; ran: Promise<[string, number][]> }[] = [];
  const indexLaunched = (name: string, fm: { entries(): Generator<[number[], { get(): Promise<number> }]> }): void => {
    const ran = Promise.all(
      [...fm.entries()].map(async ([p, f]): Promise<[string, number]> => [taskKey(name, p), await f.get()]),
    );
    launches.push({ name, decisions: adversary.takeDecisions(), ran });
  };

  indexLaunched(
    initField.name,
    rt.indexLaunch(initField, colors, { args: [fid('x'), 1], regions: [inputLp.writeDiscard('x')] }),
  );
  indexLaunched(
    initField.name,
    rt.indexLaunch(initField, colors, { args: [fid('y'), 2], regions: [inputLp.writeDiscard('y')] }),
  );
  const alpha = random(seed + 7)();
  indexLaunched(
    daxpy.name,
    rt.indexLaunch(daxpy, colors, { args: [alpha], regions: [inputLp.read('x', 'y'), outputLp.writeDiscard('z')] }),
  );
  const checked = rt.launch(check, [alpha], { regions: [input.read('x', 'y'), output.read('z')] });
  launches.push({
    name: check.name,
    decisions: adversary.takeDecisions(),
    ran: checked.get().then(([, proc]) => [[taskKey(check.name), proc]]),
  });

  // Where every task ran, against where the mapper put it.
  let misplaced = 0;
  for (const launch of launches) {
    const ran = await launch.ran;
    if (ran.length !== launch.decisions.size) {
      misplaced++;
      console.log(`Launch of ${launch.name}: ${ran.length} tasks ran, but the mapper placed ${launch.decisions.size}`);
    }
    for (const [key, proc] of ran) {
      const chosen = launch.decisions.get(key);
      if (chosen === proc) {
        console.log(`Task ${key} ran on processor ${proc} (chosen by mapper)`);
      } else {
        misplaced++;
        console.log(`Task ${key} ran on processor ${proc}, but the mapper chose ${chosen ?? 'nothing'}`);
      }
    }
  }
  const [wrong] = await checked.get();

  process.stdout.write('Checking results...');
  if (wrong !== 0 || misplaced !== 0) {
    console.log('FAILURE!');
    throw new Failure(
      [
        wrong ? `${wrong} of ${numElements} elements are wrong` : '',
        misplaced ? `${misplaced} tasks did not run where the mapper put them` : '',
      ]
        .filter((s) => s)
        .join('; '),
    );
  }
  console.log('SUCCESS!');

  rt.destroyRegion(input);
  rt.destroyRegion(output);
  await rt.shutdown();
}

runMain(main);
