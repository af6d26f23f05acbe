//===- Placement.h - Offsets for buffers with lifetimes ---------*- C++ -*-===//
//
// The offset-assignment problem of memory planning, apart from MLIR: buffers
// with a size, an alignment and a lifetime [first, last] on a fixed op order
// get offsets in one space so that no two buffers alive at the same time
// share a byte, and the space's size (the highest end) is as small as
// possible. The arena planner builds a problem from a bufferized function;
// the memory dialect's test pass builds one from a written plan; solvers are
// interchangeable behind `PlacementSolver`.
//
//===----------------------------------------------------------------------===//

#ifndef TCC_MEMORY_PLACEMENT_H
#define TCC_MEMORY_PLACEMENT_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace tcc::memory {

struct PlacementBuffer {
  int64_t size = 0;
  /// The offset must be a multiple of it (a power of two or any positive).
  int64_t alignment = 1;
  /// Op positions, both inclusive: the buffer is written at `first` and read
  /// last at `last`.
  int64_t first = 0, last = 0;
  /// The ops that touch the buffer, strictly increasing within [first,
  /// last]: the first writes it, the others read it. Only spaces with a
  /// capacity look at them (a buffer may leave the space between two uses);
  /// empty means `first` and `last`.
  llvm::SmallVector<int64_t, 4> uses = {};

  bool overlapsInTime(const PlacementBuffer &other) const {
    return first <= other.last && other.first <= last;
  }

  /// `uses`, or `first` and `last` (once if equal) when it is empty.
  llvm::SmallVector<int64_t, 4> usePoints() const;
  /// The segments between consecutive uses (one, [use, use], for a buffer
  /// used once): the spans a space with a capacity keeps it or not.
  size_t segmentCount() const;
};

struct PlacementProblem {
  llvm::SmallVector<PlacementBuffer> buffers;
};

/// An offset per buffer of a problem, and the space this needs.
struct Placement {
  llvm::SmallVector<int64_t> offsets;
  int64_t size = 0;
};

/// Checks that every buffer has a size >= 0, an alignment >= 1 and
/// first <= last; the message names the first bad buffer.
std::optional<std::string> checkProblem(const PlacementProblem &problem);

/// Checks a placement: aligned offsets >= 0 and no two buffers alive at the
/// same time sharing a byte; the message names the first offending pair.
std::optional<std::string> checkPlacement(const PlacementProblem &problem,
                                          const Placement &placement);

/// The largest sum of sizes of buffers alive at one op: no placement needs
/// less (alignment may make the optimum larger).
int64_t liveBytesLowerBound(const PlacementProblem &problem);

/// The highest end of a placement's buffers.
int64_t placementSize(const PlacementProblem &problem,
                      llvm::ArrayRef<int64_t> offsets);

/// What a solver reports next to its placement.
struct SolveStats {
  /// Seconds spent solving.
  double seconds = 0;
  /// A proven lower bound on the optimal size (at least the live-set bound).
  int64_t lowerBound = 0;
  /// Whether `lowerBound` equals the placement's size.
  bool optimal = false;
  /// For the ILP: the heuristic placement it started from, and whether the
  /// solver stopped at its time limit.
  int64_t warmStart = 0;
  bool timedOut = false;
  /// For the ILP: buffers and pairs of buffers alive at the same time in the
  /// model it solved (after decomposition and fixing).
  int64_t modelBuffers = 0, modelPairs = 0;
};

class PlacementSolver {
public:
  virtual ~PlacementSolver();
  /// The name `planner=` and the report use.
  virtual llvm::StringRef getName() const = 0;
  /// A valid placement of a valid problem (see `checkProblem`).
  virtual Placement solve(const PlacementProblem &problem,
                          SolveStats &stats) const = 0;
};

/// Largest buffer first, each at the lowest offset clear of the placed
/// buffers alive with it (TFLite's and the earlier tcc planner's order).
std::unique_ptr<PlacementSolver> createGreedyBySizeSolver();
/// Ops by decreasing live bytes; the unplaced buffers alive at each, largest
/// first, into the smallest gap that holds them (Pisarchyk & Lee's greedy by
/// breadth).
std::unique_ptr<PlacementSolver> createGreedyByBreadthSolver();
/// Buffers in order of their first op, each at the lowest offset that is
/// clear (first fit, as a malloc on the schedule would do with no frees
/// out of order).
std::unique_ptr<PlacementSolver> createFirstFitSolver();

struct IlpOptions {
  /// Wall-clock seconds for the branch and bound, over all subproblems.
  double timeLimit = 5.0;
  /// A program (the neighbourhood of the peak, or a whole component) with
  /// more pairs of buffers alive at the same time than this is not built;
  /// the placement then stays as it is.
  int64_t maxPairs = 20000;
};
/// Minimizes the size by integer programming (CBC): an offset per buffer,
/// a binary per pair of buffers alive at the same time choosing which lies
/// below, the size above every end. Starts from the best heuristic and never
/// returns a larger placement.
std::unique_ptr<PlacementSolver> createIlpSolver(IlpOptions options = {});

/// Every heuristic, in report order.
llvm::SmallVector<std::unique_ptr<PlacementSolver>> createHeuristicSolvers();

/// The solver `planner` names (`greedy`, `greedy-by-size`, `greedy-by-breadth`,
/// `first-fit`, `ilp`), or null. `greedy` is greedy by size.
std::unique_ptr<PlacementSolver> createSolver(llvm::StringRef planner,
                                              IlpOptions ilpOptions = {});

/// The names `createSolver` takes, for messages.
llvm::StringRef solverNames();

/// Places `buffer` at the lowest aligned offset (at least `from`) where it
/// overlaps none of `busy`, a list of [begin, end) byte ranges; the shared
/// step of the first-fit style heuristics.
int64_t
lowestFreeOffset(llvm::SmallVectorImpl<std::pair<int64_t, int64_t>> &busy,
                 int64_t size, int64_t alignment);

/// Sets `busy` to the byte ranges the buffers `candidates` hold in
/// `placement` among those whose lifetimes overlap `buffer`'s: what the
/// heuristics place `buffer` around.
void collectBusyRanges(const PlacementProblem &problem, const Placement &placement,
                       llvm::ArrayRef<size_t> candidates, const PlacementBuffer &buffer,
                       llvm::SmallVectorImpl<std::pair<int64_t, int64_t>> &busy);

//===----------------------------------------------------------------------===//
// Spaces with a capacity
//===----------------------------------------------------------------------===//

/// Which buffers a space of `capacity` bytes holds, and when. A buffer's
/// uses t0 < t1 < ... < tn (t0 writes it, the others read it) split its
/// life into segments [t(k-1), tk]; each segment is resident (at an offset
/// in the space, for all its ops) or not. Consecutive resident segments
/// are one stay and keep one offset; after a non-resident one the buffer
/// may come back elsewhere. Bytes moved to and from slow memory, for a
/// buffer of s bytes: s for each read whose segment is not resident (the
/// op reads slow memory, or the buffer is reloaded there for the segments
/// after), and s once for the write if any segment is not resident (the
/// producer writes slow memory, or the buffer is written back when it
/// first leaves). A buffer used once has one segment [t0, t0] and moves s
/// when it is not resident.
struct Residency {
  /// Per buffer, per segment: the offset, or -1 when not resident.
  llvm::SmallVector<llvm::SmallVector<int64_t, 2>> offsets;
  int64_t movedBytes = 0;
};

struct ResidencyStats {
  double seconds = 0;
  /// Bytes moved no residency avoids: buffers larger than the space.
  int64_t compulsoryBytes = 0;
  /// A proven lower bound on the bytes moved (at least the compulsory).
  int64_t lowerBound = 0;
  bool optimal = false, timedOut = false;
  /// Segments and pairs of segments alive together in the programs solved.
  int64_t modelSegments = 0, modelPairs = 0;
};

/// The bytes `residency` moves (see `Residency`), whatever its
/// `movedBytes` says.
int64_t movedBytes(const PlacementProblem &problem, const Residency &residency);

/// The baseline: ops in order; at each, the buffers it uses come into the
/// space (soonest next use first) at the lowest free offset, making room
/// by evicting resident buffers the op does not use, the one whose next
/// use is furthest first (Belady's policy), but only those needed later
/// than the incoming buffer; when that cannot make room the buffer stays
/// out for now (the op reads, or writes, slow memory). Resident buffers
/// never move.
Residency evictFurthestNextUse(const PlacementProblem &problem,
                               int64_t capacity);

/// The same simulation with the classic cache policy: to make room, evict
/// the resident buffers the op does not use, least recently used first;
/// the incoming buffer stays out only when evicting all of them cannot
/// make room.
Residency evictLeastRecentlyUsed(const PlacementProblem &problem,
                                 int64_t capacity);

/// The earlier baseline, for comparison: each buffer in the space from its
/// first use to its last or not at all. Buffers by first use, each at the
/// lowest free offset; when one does not fit, the resident buffers are
/// spilled, the one resident longest first, until it does.
Residency keepWholeLifetimes(const PlacementProblem &problem, int64_t capacity);

/// Minimizes the bytes moved by integer programming (CBC), starting from
/// the best of the three baselines: per segment a residency binary
/// and an offset, per pair of segments alive together a binary choosing
/// which lies below when both are resident, consecutive resident segments
/// of a buffer at one offset. Large components first go through windows of
/// 32 segments, the other buffers fixed. Never returns more bytes moved
/// than any baseline.
Residency minimizeTraffic(const PlacementProblem &problem, int64_t capacity,
                          double timeLimit, ResidencyStats &stats);

/// Checks a residency: an offset or -1 per segment, resident segments
/// within the space, aligned, consecutive ones of a buffer at the same
/// offset, and no two buffers' resident segments sharing bytes while alive
/// together; `movedBytes` as the cost model says.
std::optional<std::string> checkResidency(const PlacementProblem &problem,
                                          int64_t capacity,
                                          const Residency &residency);

/// Draws a placement as SVG: a rectangle per buffer over op index (right)
/// and bytes (up), each with data-first/-last/-offset/-size/-name
/// attributes, and a dashed line at the live-set lower bound.
void writePlanSVG(llvm::raw_ostream &os, llvm::StringRef title,
                  const PlacementProblem &problem, const Placement &placement,
                  llvm::ArrayRef<std::string> names);

} // namespace tcc::memory

#endif // TCC_MEMORY_PLACEMENT_H
