// Entry points of evaluation/groups.cpp beyond the public API, for the CLI. Internal, not installed.
#pragma once

#include "aucrecall/aucrecall.hpp"

#include <cstdint>
#include <span>

namespace aucrecall::detail {

// compute_grouped_ids for a caller that hands its arrays over: once the pass that copies
// interleaved groups toward group order has read a page of the labels, scores or ids, the page is
// handed back to the system (madvise MADV_DONTNEED) and reads as zeros afterwards, so the copies
// do not add to the input's memory. For the CLI, whose parsed rows are used for nothing else: an
// interleaved file then peaks at about the memory of the same rows grouped. The items must be
// valid already (labels 0 or 1, no NaN score): an invalid one could not be named after its page
// was handed back (std::logic_error). Nothing is handed back where nothing is copied: contiguous
// groups (evaluated in place), and many groups under GroupOptions::low_memory (their scores are
// read from the input when evaluated).
GroupSummary compute_grouped_ids_releasing_input(const Input& items, std::span<const std::uint32_t> ids,
                                                 const GroupOptions& options);

}  // namespace aucrecall::detail
