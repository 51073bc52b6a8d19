// METG(50%): the minimum effective task granularity, Task Bench's headline
// metric — the smallest average task duration at which a run still reaches
// 50% efficiency. Header-only; the TypeScript bench computes the same thing,
// so the algorithm is spelled out here to be mirrored step by step.
//
// ALGORITHM (mirror this exactly in TypeScript)
//
//   Input: samples {iterations, wallSeconds, tasks, cores}, one per run of
//   the same pattern (same tasks and cores) with only the kernel's
//   iterations varied; repeated runs ("reps") of one size are allowed.
//   Options: threshold (default 0.5), fixedPeakFlopsPerSecond (default 0 =
//   use the best flops/s of this sweep, as Task Bench does without a peak).
//
//   1. Group samples by iterations. wallSeconds of a group = arithmetic mean
//      of its samples; tasks and cores must agree within a group.
//   2. Order groups by iterations, largest first.
//   3. For each group:
//        flops             = tasks * flopsPerCall(iterations)
//                          = tasks * 128 * iterations
//        flopsPerSecond    = flops / wallSeconds
//        granularityMicros = wallSeconds * cores / tasks * 1e6
//   4. peak = fixedPeak if > 0, else max(flopsPerSecond) over the groups.
//      efficiency = flopsPerSecond / peak (0 when peak is 0).
//   5. s = index of the group with the SMALLEST granularity among those with
//      efficiency >= threshold (first such index on a tie). If there is none,
//      METG is undefined (reached = false, metgMicros = NaN).
//   6. If group s+1 exists (the next smaller iteration count) and
//      granularity[s+1] < granularity[s], interpolate linearly in
//      (efficiency -> granularity) between the two points at the threshold:
//        metg = g[s+1] + (threshold - e[s+1]) * (g[s] - g[s+1]) / (e[s] - e[s+1])
//      (e[s+1] < threshold here, because s was the smallest granularity at
//      or above it, so the denominator is positive). Otherwise metg = g[s],
//      and it is only an upper bound: the sweep never went below threshold
//      at a smaller granularity (bracketed = false).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include "compute_kernel.h"

namespace cohort::bench {

struct MetgSample {
  uint64_t iterations = 0;  // kernel iterations per task
  double wallSeconds = 0.0;
  uint64_t tasks = 0;  // tasks in the whole run (width * steps)
  unsigned cores = 0;  // cores the run was allowed to use
};

struct MetgOptions {
  double threshold = 0.5;
  double fixedPeakFlopsPerSecond = 0.0;  // 0: best flops/s of the sweep
};

struct MetgPoint {
  uint64_t iterations = 0;
  unsigned reps = 0;
  double wallSeconds = 0.0;  // mean over reps
  uint64_t tasks = 0;
  unsigned cores = 0;
  double granularityMicros = 0.0;
  double flopsPerSecond = 0.0;
  double efficiency = 0.0;
};

struct MetgResult {
  std::vector<MetgPoint> points;  // largest iterations first
  double peakFlopsPerSecond = 0.0;
  bool reached = false;           // some point has efficiency >= threshold
  bool bracketed = false;         // a smaller-granularity point below threshold was used
  std::size_t selectedIndex = 0;  // step 5's s (valid when reached)
  double metgMicros = std::numeric_limits<double>::quiet_NaN();
};

// Steps 1-4: averaged, ordered points with efficiency filled in.
inline std::vector<MetgPoint> metgPoints(const std::vector<MetgSample>& samples, double fixedPeakFlopsPerSecond,
                                         double* peakOut = nullptr) {
  std::vector<MetgSample> sorted = samples;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const MetgSample& a, const MetgSample& b) { return a.iterations > b.iterations; });

  std::vector<MetgPoint> points;
  for (const MetgSample& s : sorted) {
    if (!(s.wallSeconds > 0.0) || s.tasks == 0 || s.cores == 0) {
      throw std::invalid_argument("METG sample needs wallSeconds > 0, tasks > 0, cores > 0");
    }
    if (points.empty() || points.back().iterations != s.iterations) {
      MetgPoint p;
      p.iterations = s.iterations;
      p.tasks = s.tasks;
      p.cores = s.cores;
      points.push_back(p);
    } else if (points.back().tasks != s.tasks || points.back().cores != s.cores) {
      throw std::invalid_argument("METG reps of one size must have the same tasks and cores");
    }
    points.back().reps += 1;
    points.back().wallSeconds += s.wallSeconds;  // summed here, averaged below
  }

  double bestFlopsPerSecond = 0.0;
  for (MetgPoint& p : points) {
    p.wallSeconds /= p.reps;
    const double tasks = static_cast<double>(p.tasks);
    const double flops = tasks * static_cast<double>(flopsPerCall(p.iterations));
    p.flopsPerSecond = flops / p.wallSeconds;
    p.granularityMicros = p.wallSeconds * p.cores / tasks * 1e6;
    bestFlopsPerSecond = std::max(bestFlopsPerSecond, p.flopsPerSecond);
  }
  const double peak = fixedPeakFlopsPerSecond > 0.0 ? fixedPeakFlopsPerSecond : bestFlopsPerSecond;
  for (MetgPoint& p : points) p.efficiency = peak > 0.0 ? p.flopsPerSecond / peak : 0.0;
  if (peakOut != nullptr) *peakOut = peak;
  return points;
}

// Steps 5-6 on points ordered largest iterations first.
inline MetgResult metgFromPoints(std::vector<MetgPoint> points, double threshold, double peakFlopsPerSecond) {
  MetgResult result;
  result.peakFlopsPerSecond = peakFlopsPerSecond;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (points[i].efficiency < threshold) continue;
    if (!result.reached || points[i].granularityMicros < points[result.selectedIndex].granularityMicros) {
      result.selectedIndex = i;
      result.reached = true;
    }
  }
  if (result.reached) {
    const std::size_t s = result.selectedIndex;
    const MetgPoint& above = points[s];
    result.metgMicros = above.granularityMicros;
    if (s + 1 < points.size() && points[s + 1].granularityMicros < above.granularityMicros) {
      const MetgPoint& below = points[s + 1];
      const double fraction = (threshold - below.efficiency) / (above.efficiency - below.efficiency);
      result.metgMicros = below.granularityMicros + fraction * (above.granularityMicros - below.granularityMicros);
      result.bracketed = true;
    }
  }
  result.points = std::move(points);
  return result;
}

inline MetgResult computeMetg(const std::vector<MetgSample>& samples, const MetgOptions& options = MetgOptions{}) {
  double peak = 0.0;
  std::vector<MetgPoint> points = metgPoints(samples, options.fixedPeakFlopsPerSecond, &peak);
  return metgFromPoints(std::move(points), options.threshold, peak);
}

}  // namespace cohort::bench
