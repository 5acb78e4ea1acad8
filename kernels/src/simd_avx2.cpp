// Every SIMD entry point compiled for avx2 only (CMakeLists.txt sets the flags per file): one
// translation unit per instruction set, the code written once over xsimd's architecture tag.
#include "pair_count_impl.hpp"
#include "simd_scan_impl.hpp"

namespace aucrecall::simd_scan_detail {
double curves_avx2(double* ranked, std::size_t n, double positives) {
    return curves<xsimd::avx2>(ranked, n, positives);
}
}  // namespace aucrecall::simd_scan_detail

namespace aucrecall::pair_count_detail {
PairTotals count_pairs_avx2(const double* pos, std::size_t p, const double* neg, std::size_t q) {
    return count_pairs<xsimd::avx2>(pos, p, neg, q);
}
PairTotals count_pairs_avx2(const float* pos, std::size_t p, const float* neg, std::size_t q) {
    return count_pairs<xsimd::avx2>(pos, p, neg, q);
}
}  // namespace aucrecall::pair_count_detail
