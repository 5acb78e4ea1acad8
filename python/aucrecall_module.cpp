// The Python module `aucrecall`: the library's entry point on NumPy arrays.
//
// Arrays of the library's own types (bool/uint8/int32/int64 labels, float32/float64 scores) that
// are 1-D and contiguous are read in place: the kernel gets their data pointer, no copy. Anything
// else array-like is converted once with NumPy (other numeric dtypes, lists, pandas Series,
// strided views). The GIL is released while the kernel runs (from tuning::gil_release_min_items
// items: below, releasing costs more than the call); the arrays stay referenced by this call's frame meanwhile. Errors: ValueError (bad values, naming the index; bad options),
// TypeError (a dtype that is not numeric).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aucrecall/aucrecall.hpp"
#include "runtime/scratch.hpp"
#include "runtime/text_keys.hpp"
#include "runtime/thread_pool.hpp"
#include "runtime/tuning.hpp"

namespace py = pybind11;

namespace {

// An input array the kernel can read in place, with the library's view of its element type.
struct Column {
    py::array array;  // keeps the memory alive (the caller's array, or the one conversion made)
    const void* data = nullptr;
    std::size_t size = 0;
};

// Imported once and deliberately never released: a static py::object would be destroyed after
// the interpreter has finalised, at process exit, and crash there.
const py::module_& numpy() {
    static const py::module_* const np = new py::module_(py::module_::import("numpy"));
    return *np;
}

const py::detail::PyArrayDescr_Proxy& descriptor(const py::array& a) {
    return *py::detail::array_descriptor_proxy(py::detail::array_proxy(a.ptr())->descr);
}

bool is_one_dimensional_contiguous(const py::array& a) {
    return a.ndim() == 1 && (a.shape(0) <= 1 || a.strides(0) == a.itemsize());
}

// python/aucrecall/_inputs.py: pandas' extension dtypes and non-integer group keys.
py::module_ inputs() { return py::module_::import("aucrecall._inputs"); }

// A pandas object whose dtype is not a NumPy dtype (nullable Int64/boolean/Float64, Categorical,
// string): NumPy alone would make it an object array.
bool has_extension_dtype(const py::handle& value) {
    if (py::isinstance<py::array>(value) || !py::hasattr(value, "dtype")) return false;
    return !py::isinstance(value.attr("dtype"), numpy().attr("dtype"));
}

// Any array-like as a NumPy array (no copy for an ndarray), rejecting what cannot be a column.
py::array as_array(const py::handle& value, const char* what) {
    if (value.is_none())
        throw py::type_error(std::string(what) + " is None; expected a one-dimensional array of numbers");
    py::array a = py::isinstance<py::array>(value)   ? py::reinterpret_borrow<py::array>(value)
                  : has_extension_dtype(value) ? py::array(inputs().attr("column")(value, what))
                                               : py::array(numpy().attr("asarray")(value));
    if (a.ndim() != 1)
        throw py::value_error(std::string(what) + " must be one-dimensional, got " +
                              std::to_string(a.ndim()) + " dimensions");
    const char kind = descriptor(a).kind;
    if (kind != 'b' && kind != 'i' && kind != 'u' && kind != 'f')
        throw py::type_error(std::string(what) + " must be numeric (bool, integer or float), got dtype " +
                             std::string(py::str(a.dtype())));
    return a;
}

py::array contiguous_as(const py::array& a, const char* dtype) {
    return py::array(numpy().attr("ascontiguousarray")(a, py::arg("dtype") = dtype));
}

// A strided view (a[::2], a column of a 2-D array) becomes one contiguous copy of the same dtype.
Column column(py::array a) {
    if (!is_one_dimensional_contiguous(a)) a = py::array(numpy().attr("ascontiguousarray")(a));
    return Column{a, a.data(), static_cast<std::size_t>(a.shape(0))};
}

// The library's element types by NumPy type number, read straight from the array's descriptor
// (no Python call: this is most of a small call's cost otherwise). Only native byte order.
using npy = py::detail::npy_api;
static_assert(sizeof(long) == 8, "NPY_LONG is taken as int64 (LP64)");

bool native_order(const py::detail::PyArrayDescr_Proxy& d) {
    return d.byteorder == '=' || d.byteorder == '|';
}

std::optional<aucrecall::LabelType> library_label_type(const py::array& a) {
    const auto& d = descriptor(a);
    if (!native_order(d)) return std::nullopt;
    switch (d.type_num) {
        case npy::NPY_BOOL_: return aucrecall::LabelType::boolean;
        case npy::NPY_UBYTE_: return aucrecall::LabelType::u8;
        case npy::NPY_INT_: return aucrecall::LabelType::i32;
        case npy::NPY_LONG_:
        case npy::NPY_LONGLONG_: return aucrecall::LabelType::i64;
        default: return std::nullopt;
    }
}

std::optional<aucrecall::ScoreType> library_score_type(const py::array& a) {
    const auto& d = descriptor(a);
    if (!native_order(d)) return std::nullopt;
    switch (d.type_num) {
        case npy::NPY_FLOAT_: return aucrecall::ScoreType::f32;
        case npy::NPY_DOUBLE_: return aucrecall::ScoreType::f64;
        case npy::NPY_INT_: return aucrecall::ScoreType::i32;
        case npy::NPY_LONG_:
        case npy::NPY_LONGLONG_: return aucrecall::ScoreType::i64;
        case npy::NPY_ULONG_:
        case npy::NPY_ULONGLONG_: return aucrecall::ScoreType::u64;
        default: return std::nullopt;
    }
}

// First index whose label is neither 0 nor 1, computed by NumPy (for dtypes the library does not
// take, where a plain conversion could hide a bad value: 0.5 -> 0, 2**64 - 1 -> -1).
void reject_non_binary(const py::array& a) {
    py::object bad = numpy().attr("flatnonzero")((a.attr("__ne__")(0)).attr("__and__")(a.attr("__ne__")(1)));
    if (py::len(bad) > 0) {
        const py::object index = bad[py::int_(0)];
        throw py::value_error("label at index " + std::string(py::str(index)) + " is " +
                              std::string(py::repr(a[index])) + "; labels must be 0 or 1");
    }
}

Column labels_column(const py::handle& value, aucrecall::LabelType* type) {
    py::array a = as_array(value, "y_true");
    if (const auto library_type = library_label_type(a)) {
        *type = *library_type;
    } else {
        // Another numeric dtype: every value must be exactly 0 or 1 before it may be narrowed.
        reject_non_binary(a);
        a = contiguous_as(a, "uint8");
        *type = aucrecall::LabelType::u8;
    }
    return column(std::move(a));
}

Column scores_column(const py::handle& value, aucrecall::ScoreType* type) {
    py::array a = as_array(value, "y_score");
    if (const auto library_type = library_score_type(a)) {
        *type = *library_type;
    } else if (descriptor(a).kind != 'f') {
        // Narrower integers (and bool) widen to int64 exactly; int64 keeps every integer exact.
        a = contiguous_as(a, "int64");
        *type = aucrecall::ScoreType::i64;
    } else {
        // float16 widens exactly; a long double is taken only where float64 holds it exactly, so
        // distinct scores never round into a tie.
        py::array wide = contiguous_as(a, "float64");
        py::object lost = numpy().attr("flatnonzero")(wide.attr("__ne__")(a));
        if (py::len(lost) > 0) {
            const py::object index = lost[py::int_(0)];
            throw py::value_error("score at index " + std::string(py::str(index)) + " (" +
                                  std::string(py::repr(a[index])) + ", dtype " + std::string(py::str(a.dtype())) +
                                  ") has no exact float64; pass float64 scores");
        }
        a = std::move(wide);
        *type = aucrecall::ScoreType::f64;
    }
    return column(std::move(a));
}

struct Prepared {
    Column labels, scores;
    aucrecall::Input input;
};

Prepared prepare(const py::handle& y_true, const py::handle& y_score) {
    Prepared p;
    p.labels = labels_column(y_true, &p.input.label_type);
    p.scores = scores_column(y_score, &p.input.score_type);
    if (p.labels.size != p.scores.size)
        throw py::value_error("y_true and y_score differ in length: " + std::to_string(p.labels.size) +
                              " labels, " + std::to_string(p.scores.size) + " scores");
    p.input.labels = p.labels.data;
    p.input.scores = p.scores.data;
    p.input.n = p.labels.size;
    return p;
}

using aucrecall::tuning::gil_release_min_items;

// k: None -> 0 (no cutoff); an int >= 1; beyond 64 bits it is larger than any input (no cutoff
// in effect, the same as k >= n).
std::uint64_t parse_k(PyObject* value) {
    if (value == Py_None) return 0;
    if (PyBool_Check(value) || !PyIndex_Check(value))  // int, numpy integers; not bool or float
        throw py::type_error("k must be an int or None, got " +
                             std::string(py::str(py::type::handle_of(value).attr("__name__"))));
    const py::object index = py::reinterpret_steal<py::object>(PyNumber_Index(value));
    if (!index) throw py::error_already_set();
    value = index.ptr();
    int overflow = 0;
    const long long small = PyLong_AsLongLongAndOverflow(value, &overflow);
    if (overflow < 0 || (overflow == 0 && small < 1))
        throw py::value_error("k must be at least 1 (a cutoff of K ranks), got " + std::string(py::str(value)));
    if (overflow > 0) {
        const unsigned long long big = PyLong_AsUnsignedLongLong(value);
        if (big == static_cast<unsigned long long>(-1) && PyErr_Occurred()) {
            PyErr_Clear();
            return ~std::uint64_t{0};
        }
        return big;
    }
    return static_cast<std::uint64_t>(small);
}

// The option values of one call, parsed from keyword arguments.
struct CallOptions {
    aucrecall::Options options;
    std::string kernel;  // owns what options.kernel views
};

std::string_view utf8(PyObject* text, const char* what) {
    if (!PyUnicode_Check(text))
        throw py::type_error(std::string(what) + " must be a str, got " +
                             std::string(py::str(py::type::handle_of(text).attr("__name__"))));
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(text, &size);
    if (data == nullptr) throw py::error_already_set();
    return {data, static_cast<std::size_t>(size)};
}

void parse_option(CallOptions& call, std::string_view name, PyObject* value) {
    if (name == "ties") {
        try {
            call.options.ties = aucrecall::parse_ties(utf8(value, "ties"));
        } catch (const std::invalid_argument& e) {
            throw py::value_error(e.what());
        }
    } else if (name == "kernel") {
        if (value == Py_None) return;
        call.kernel = std::string(utf8(value, "kernel"));
        if (aucrecall::find_kernel(call.kernel) == nullptr)
            throw py::value_error("unknown kernel '" + call.kernel + "' (aucrecall.kernels() lists them)");
        call.options.kernel = call.kernel;
    } else if (name == "k") {
        call.options.k = parse_k(value);
    } else {
        throw py::type_error("auc_recall() got an unexpected keyword argument '" + std::string(name) +
                             "' (options: k, ties, kernel)");
    }
}

// auc_recall as a vectorcall function: pybind11's generic dispatcher (argument casters, keyword
// matching) cost about half a microsecond, as much as the whole metric of a small list.
PyObject* auc_recall(PyObject*, PyObject* const* args, Py_ssize_t positional, PyObject* keywords) {
    try {
        if (positional != 2)
            throw py::type_error("auc_recall() takes 2 positional arguments (y_true, y_score) but " +
                                 std::to_string(positional) +
                                 " were given; k, ties and kernel are keyword-only");
        CallOptions call;
        const Py_ssize_t named = keywords ? PyTuple_GET_SIZE(keywords) : 0;
        for (Py_ssize_t i = 0; i < named; ++i)
            parse_option(call, utf8(PyTuple_GET_ITEM(keywords, i), "keyword"), args[positional + i]);
        const Prepared p = prepare(args[0], args[1]);
        double value = 0;
        if (p.input.n < gil_release_min_items) {
            value = aucrecall::compute(p.input, call.options);
        } else {
            py::gil_scoped_release unlocked;  // the arrays stay referenced by `p` meanwhile
            value = aucrecall::compute(p.input, call.options);
        }
        return PyFloat_FromDouble(value);
    } catch (py::error_already_set& e) {
        e.restore();
    } catch (const py::builtin_exception& e) {
        e.set_error();
    } catch (const std::invalid_argument& e) {  // aucrecall::InvalidInput: names the index
        PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const std::exception& e) {
        PyErr_SetString(PyExc_RuntimeError, e.what());
    }
    return nullptr;
}

// ---- ranked lists and groups -------------------------------------------------------------------

double auc_recall_ranked(const py::handle& y_true, const py::object& k) {
    aucrecall::RankedInput input;
    const Column labels = labels_column(y_true, &input.label_type);
    input.labels = labels.data;
    input.n = labels.size;
    const std::uint64_t cutoff = parse_k(k.ptr());
    if (input.n < gil_release_min_items) return aucrecall::compute_ranked(input, cutoff);
    py::gil_scoped_release unlocked;
    return aucrecall::compute_ranked(input, cutoff);
}

std::optional<aucrecall::GroupKeyType> library_key_type(const py::array& a) {
    const auto& d = descriptor(a);
    if (!native_order(d) || (d.kind != 'i' && d.kind != 'u')) return std::nullopt;
    const bool is_signed = d.kind == 'i';
    switch (a.itemsize()) {
        case 1: return is_signed ? aucrecall::GroupKeyType::i8 : aucrecall::GroupKeyType::u8;
        case 2: return is_signed ? aucrecall::GroupKeyType::i16 : aucrecall::GroupKeyType::u16;
        case 4: return is_signed ? aucrecall::GroupKeyType::i32 : aucrecall::GroupKeyType::u32;
        case 8: return is_signed ? aucrecall::GroupKeyType::i64 : aucrecall::GroupKeyType::u64;
        default: return std::nullopt;
    }
}

// Group keys as the library reads them: integer arrays in place; arrays of text and a
// Categorical's codes numbered here (text_ids, categorical_ids) in order of first appearance, for
// compute_grouped_ids; anything else (floats, other objects, pandas' other extension dtypes)
// turned into int64 codes by _inputs.group_codes (pandas.factorize), the keys themselves kept for
// the result. `original` is what the result's .groups indexes.
struct Keys {
    Column column;
    aucrecall::GroupKeyType type = aucrecall::GroupKeyType::i64;
    py::object original;  // an array, or a pandas Categorical (indexed like one)
    // Keys numbered here (then no column); scratch of the library's kind (runtime/scratch.hpp):
    // not zero-filled, in huge pages and kept between calls, since fresh pages cost as much as
    // the numbering itself (perf: 60% of a 10M-item call in page faults and memset).
    std::optional<aucrecall::detail::Buffer<std::uint32_t>> ids;
    std::vector<std::uint64_t> offsets;  // or, keys numbered here grouped, where each group starts
    bool str_objects = false;  // `original` is the caller's object array of str (text_ids)
};

// A str's characters as PEP 393 stores them: `kind` bytes per character (1, 2 or 4), the
// narrowest that holds every character, so two equal strs have the same kind and the same bytes.
// Reading them is a few loads from the object, no call into Python: safe on the pool's threads
// while the caller holds the GIL (and so the array and its items) and waits.
struct StrUnits {
    const char* data = nullptr;
    std::size_t bytes = 0;
    unsigned kind = 0;
    bool ascii = false;
};

inline bool str_units(PyObject* item, StrUnits& units) noexcept {
    if (!PyUnicode_Check(item)) return false;
#if PY_VERSION_HEX < 0x030C0000
    if (!PyUnicode_IS_READY(item)) return false;  // a legacy str not yet in PEP 393 form
#endif
    units.kind = PyUnicode_KIND(item);
    units.ascii = PyUnicode_IS_ASCII(item);
    units.data = static_cast<const char*>(PyUnicode_DATA(item));
    units.bytes = static_cast<std::size_t>(PyUnicode_GET_LENGTH(item)) * units.kind;
    return true;
}

// Equal byte ranges of equal length: group keys are mostly a few bytes, where a call to memcmp
// cost more than the rest of the item's work (perf: 8% of a call with str keys).
inline bool same_bytes(const char* a, const char* b, std::size_t n) noexcept {
    const auto load8 = [](const char* p) { std::uint64_t v; std::memcpy(&v, p, 8); return v; };
    const auto load4 = [](const char* p) { std::uint32_t v; std::memcpy(&v, p, 4); return v; };
    if (n >= 8) {
        if (n > 32) return std::memcmp(a, b, n) == 0;
        const bool ends = load8(a) == load8(b) && load8(a + n - 8) == load8(b + n - 8);
        if (n <= 16) return ends;  // `U` keys of 5-8 characters are 20-32 bytes
        return ends && load8(a + 8) == load8(b + 8) && load8(a + n - 16) == load8(b + n - 16);
    }
    if (n >= 4) return load4(a) == load4(b) && load4(a + n - 4) == load4(b + n - 4);
    for (std::size_t i = 0; i < n; ++i)
        if (a[i] != b[i]) return false;
    return true;
}

// One range of an array's text keys, numbered by its own KeyIndex (ids in the range's order
// of first appearance, first lines the items' indices). Its ids are kept as runs (where each run
// of one key starts, and its id) while runs are long: for rows grouped by key, writing an id per
// item cost a quarter of the pass (39 vs 29 ms for 10M items on one thread, the objects' loads
// being the rest), and the runs are the layout compute_grouped_offsets takes. Short runs (keys
// interleaved) go to `ids` per item instead, which is smaller than a run per item.
struct TextRange {
    aucrecall::detail::KeyIndex index;
    std::vector<std::size_t> run_starts;
    std::vector<std::uint32_t> run_ids;
    bool per_item = false;
    std::size_t not_text = 0;  // the first item that is not a text (a str in PEP 393 form), else the range's end
};

// A range's runs written out as an id per item, each run's id through `id_for` (the range's own
// ids, or the merged ones), the last run ending at `end`.
template <class IdFor>
void write_runs_as_ids(const TextRange& range, std::size_t end, std::uint32_t* ids, IdFor&& id_for) {
    for (std::size_t r = 0; r < range.run_starts.size(); ++r) {
        const std::size_t run_end = r + 1 < range.run_starts.size() ? range.run_starts[r + 1] : end;
        std::fill(ids + range.run_starts[r], ids + run_end, id_for(range.run_ids[r]));
    }
}

// One item's key text: `width` 0 for a key that is its bytes, else the PEP 393 width of a str
// that is not ASCII (the key is then its units followed by the byte 0x80 | width: no ASCII key
// holds such a byte, and the suffix tells equal bytes of different widths apart).
struct KeyText {
    const char* data = nullptr;
    std::size_t bytes = 0;
    unsigned width = 0;
};
// What a reader found at an item: a new key (in `text`), the previous item's key again (a run:
// no hash, no lookup), or no text at all.
enum class ItemRead { text, same_as_previous, not_text };

// The items of an object array of str. Read while the caller holds the GIL and waits: a few loads
// from each object, no call into Python.
struct StrObjects {
    const char* base;
    py::ssize_t stride;
    PyObject* previous = nullptr;
    KeyText previous_text{nullptr, 0, ~0u};

    PyObject* item_at(std::size_t i) const noexcept {
        return *reinterpret_cast<PyObject* const*>(base + static_cast<py::ssize_t>(i) * stride);
    }
    // Objects shuffled in memory cost a cache miss each (590 ns per object with random order on
    // the study machine, len() alone): the object some items on is fetched meanwhile.
    void prefetch(std::size_t i) const noexcept { __builtin_prefetch(item_at(i)); }
    ItemRead read(std::size_t i, KeyText& text) noexcept {
        PyObject* item = item_at(i);
        if (item == previous) return ItemRead::same_as_previous;  // a run, or keys repeated by reference
        if (Py_IS_TYPE(item, &PyUnicode_Type) && PyUnicode_IS_COMPACT_ASCII(item)) {  // the common item
            text = {static_cast<const char*>(PyUnicode_DATA(item)), static_cast<std::size_t>(PyUnicode_GET_LENGTH(item)), 0};
        } else {
            StrUnits units;
            if (!str_units(item, units)) return ItemRead::not_text;
            text = {units.data, units.bytes, units.ascii ? 0u : units.kind};
        }
        previous = item;
        // A run of equal texts in distinct objects (one group's rows).
        if (text.bytes == previous_text.bytes && text.width == previous_text.width &&
            same_bytes(text.data, previous_text.data, text.bytes))
            return ItemRead::same_as_previous;
        previous_text = text;
        return ItemRead::text;
    }
};

// The items of a fixed-width text array (NumPy's `U`, UCS-4 code units, or `S`, bytes). All items
// of one array have one width, so two are equal keys exactly when their bytes are equal; a key is
// the item without its trailing zero units (NumPy's padding, and trailing NULs NumPy drops anyway),
// which changes no equality and makes keys as short as their texts to hash and keep.
struct FixedWidthTexts {
    const char* base;
    py::ssize_t stride;
    std::size_t itemsize;
    std::size_t unit;  // 4 for `U`, 1 for `S`
    bool narrow;       // a `U` array in native byte order: ASCII keys stored one byte per character
    const char* previous = nullptr;
    // ASCII keys of `U` arrays as bytes: at four bytes per character most keys would be longer than
    // the key index holds in its slots (KeyIndex::inline_bytes), and a long key costs a second cache
    // miss per lookup (10M interleaved `<U22` items of 100,000 keys: 1.35 s).
    static constexpr std::size_t narrow_max_characters = 64;
    char narrowed[narrow_max_characters] = {};

    void prefetch(std::size_t) const noexcept {}  // items in order in the array: the hardware's prefetch
    ItemRead read(std::size_t i, KeyText& text) noexcept {
        const char* item = base + static_cast<py::ssize_t>(i) * stride;
        // Equal items are equal keys, and unequal ones unequal: a run's items are compared whole
        // (one vectorised memcmp), without finding where each one's padding starts (10M `<U22`
        // items in runs of 100: 99 -> 70 ms).
        if (previous != nullptr && std::memcmp(item, previous, itemsize) == 0) return ItemRead::same_as_previous;
        previous = item;
        // Padding is mostly most of the item (`U` arrays are as wide as their longest key): skipped
        // eight bytes at a time, then unit by unit.
        std::size_t bytes = itemsize;
        const auto zero = [](const char* p, std::size_t n) {
            std::uint64_t v = 0;
            std::memcpy(&v, p, n);
            return v == 0;
        };
        while (bytes >= 8 && zero(item + bytes - 8, 8)) bytes -= 8;
        while (bytes >= unit && zero(item + bytes - unit, unit)) bytes -= unit;
        text = {item, bytes, 0};
        if (narrow) {
            // Keys are then ASCII bytes, or the units as stored with the marker of width 4 (see
            // KeyText): no ASCII key ends in that byte, so the two kinds never meet.
            const std::size_t characters = bytes / 4;
            char* out = narrowed;
            bool ascii = characters <= narrow_max_characters;
            for (std::size_t c = 0; ascii && c < characters; ++c) {
                std::uint32_t code;
                std::memcpy(&code, item + 4 * c, 4);
                ascii = code < 0x80;
                out[c] = static_cast<char>(code);
            }
            if (ascii) text = {out, characters, 0};
            else text.width = 4;
        }
        return ItemRead::text;
    }
};

// Numbers the items [begin, end) into `range`, keys read by `items` (StrObjects, FixedWidthTexts).
// Stops at the first item that is not a text, and early when `stop` is set by another range that
// found one.
template <class Items>
void number_text_range(Items items, std::size_t begin, std::size_t end, std::uint32_t* ids, TextRange& range,
                       std::atomic<bool>& stop) {
    const auto fail_full = [] { throw py::value_error("groups: more than 4294967294 distinct keys"); };
    constexpr std::size_t ahead = aucrecall::tuning::key_prefetch_distance;
    constexpr std::size_t block_items = std::size_t{1} << 16;  // `stop` is looked at between blocks
    range.not_text = end;
    std::uint32_t id = 0;  // the previous item's
    std::string wide_key;
    const auto to_per_item = [&](std::size_t until) {  // the runs so far written out as ids
        write_runs_as_ids(range, until, ids, [](std::uint32_t id) { return id; });
        std::vector<std::size_t>().swap(range.run_starts);
        std::vector<std::uint32_t>().swap(range.run_ids);
        range.per_item = true;
    };
    for (std::size_t block = begin; block < end; block += block_items) {
        if (stop.load(std::memory_order_relaxed)) return;
        const std::size_t block_end = std::min(end, block + block_items);
        for (std::size_t i = block; i < block_end; ++i) {
            if (i + ahead < end) items.prefetch(i + ahead);
            KeyText text;
            const ItemRead read = items.read(i, text);
            if (read == ItemRead::not_text) {
                range.not_text = i;
                stop.store(true, std::memory_order_relaxed);
                return;
            }
            if (read == ItemRead::same_as_previous) {
                if (range.per_item) ids[i] = id;
                continue;
            }
            if (text.width == 0) {
                id = range.index.id_of(std::string_view(text.data, text.bytes), i, fail_full);
            } else {
                wide_key.assign(text.data, text.bytes);
                wide_key.push_back(static_cast<char>(0x80u | text.width));
                id = range.index.id_of(wide_key, i, fail_full);
            }
            if (range.per_item) {
                ids[i] = id;
                continue;
            }
            range.run_starts.push_back(i);
            range.run_ids.push_back(id);
            // Runs shorter than this on average (after a first stretch) cost more as runs than as ids.
            if (range.run_starts.size() * aucrecall::tuning::str_key_min_average_run >
                i - begin + aucrecall::tuning::layout_sample_items) {
                to_per_item(i);
                ids[i] = id;
            }
        }
    }
}

// Group keys numbered for the library: ids per item, or (rows grouped by key, each key one run)
// the offsets where each group starts, then the item count.
struct KeyNumbers {
    std::optional<aucrecall::detail::Buffer<std::uint32_t>> ids;
    std::vector<std::uint64_t> offsets;
};

// Text keys: an object array whose items are all str, or a fixed-width text array (`U`, `S`).
// Ids in order of first appearance, equal texts equal ids (as pandas.factorize gives), hashed in
// C++ (runtime/text_keys.hpp) in ranges on the pool's threads, merged in order: pandas.factorize
// took ten times the whole call with int64 keys over str objects, and sixty times over a `U` array
// (which it first turns into objects). nullopt for other arrays, and for an object array with an
// item that is not a str (None, NaN, numbers, bytes...): the Python path then names a missing key
// or hashes the objects.
std::optional<KeyNumbers> text_ids(const py::array& a) {
    const auto& d = descriptor(a);
    if (a.ndim() != 1 || (d.kind != 'O' && d.kind != 'U' && d.kind != 'S')) return std::nullopt;
    const auto n = static_cast<std::size_t>(a.shape(0));
    const unsigned threads = aucrecall::detail::thread_count_for(n, aucrecall::tuning::items_per_thread);
    // Taken before the scan although rows grouped by key never write it: a range turns to ids per
    // item midway, on a pool thread, where a buffer would be fresh memory (workers keep no scratch
    // cache); drawn here from the caller's cache and left untouched it costs nothing measurable
    // (study-shaped grouped keys, 6 alternating batches of 8 calls: 62.8 ms with it, 64.1 without).
    aucrecall::detail::Buffer<std::uint32_t> ids(n);
    std::vector<TextRange> ranges(threads);
    std::vector<std::size_t> bounds(threads + 1);
    for (unsigned t = 0; t <= threads; ++t) bounds[t] = n * t / threads;
    std::atomic<bool> stop{false};
    const auto* base = static_cast<const char*>(a.data());
    aucrecall::detail::parallel_for(threads, [&](unsigned t) {
        if (d.kind == 'O')
            number_text_range(StrObjects{base, a.strides(0)}, bounds[t], bounds[t + 1], ids.data(), ranges[t], stop);
        else
            number_text_range(FixedWidthTexts{base, a.strides(0), static_cast<std::size_t>(a.itemsize()),
                                              d.kind == 'U' ? std::size_t{4} : std::size_t{1},
                                              d.kind == 'U' && native_order(d)},
                              bounds[t], bounds[t + 1], ids.data(), ranges[t], stop);
    });
    for (unsigned t = 0; t < threads; ++t)
        if (ranges[t].not_text != bounds[t + 1]) return std::nullopt;
    std::vector<aucrecall::detail::KeyIndex> indexes;
    for (TextRange& range : ranges) indexes.push_back(std::move(range.index));
    const auto maps = aucrecall::detail::merge_chunk_keys(std::span<aucrecall::detail::KeyIndex>(indexes), threads, [] {
        throw py::value_error("groups: more than 4294967294 distinct keys");
    });
    const auto merged_id = [&](unsigned t, std::uint32_t id) { return t == 0 ? id : maps[t][id]; };

    // Every key one run (a run cut by a range boundary joined again): the runs are the groups.
    KeyNumbers numbers;
    bool contiguous = true;
    std::uint32_t last = std::numeric_limits<std::uint32_t>::max();
    for (unsigned t = 0; t < threads && contiguous; ++t) {
        contiguous = !ranges[t].per_item;
        for (std::size_t r = 0; contiguous && r < ranges[t].run_starts.size(); ++r) {
            const std::uint32_t id = merged_id(t, ranges[t].run_ids[r]);
            if (id == last) continue;
            contiguous = id == numbers.offsets.size();  // ids go in order of first appearance: a new key
            numbers.offsets.push_back(ranges[t].run_starts[r]);
            last = id;
        }
    }
    if (contiguous) {
        numbers.offsets.push_back(n);
        return numbers;
    }
    std::vector<std::uint64_t>().swap(numbers.offsets);
    aucrecall::detail::parallel_for(threads, [&](unsigned t) {
        if (!ranges[t].per_item)
            write_runs_as_ids(ranges[t], bounds[t + 1], ids.data(), [&](std::uint32_t id) { return merged_id(t, id); });
        else if (t > 0)  // range 0's ids are the merged ones
            aucrecall::detail::remap_ids(ids.data(), bounds[t], bounds[t + 1], maps[t].data());
    });
    numbers.ids = std::move(ids);
    return numbers;
}

// A Categorical's codes (int8 to int64, -1 for a missing key) numbered in order of first
// appearance: a table with an entry per category, one pass, no hashing and no int64 copy.
template <class Code>
aucrecall::detail::Buffer<std::uint32_t> first_appearance_ids(const Code* codes, std::size_t n, std::size_t categories) {
    constexpr std::uint32_t unseen = std::numeric_limits<std::uint32_t>::max();
    std::vector<std::uint32_t> id_of(categories, unseen);
    aucrecall::detail::Buffer<std::uint32_t> ids(n);
    std::uint32_t groups = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const Code code = codes[i];
        if (i > 0 && code == codes[i - 1]) {  // a run: one group's rows
            ids[i] = ids[i - 1];
            continue;
        }
        if (code < 0 || static_cast<std::uint64_t>(code) >= categories) {
            if (code == -1)
                throw py::value_error("groups has a missing value (NA) at index " + std::to_string(i) +
                                      "; drop or fill missing values before calling");
            throw py::value_error("groups: categorical code " + std::to_string(code) + " at index " +
                                  std::to_string(i) + " is outside its " + std::to_string(categories) + " categories");
        }
        std::uint32_t& id = id_of[static_cast<std::size_t>(code)];
        if (id == unseen) id = groups++;
        ids[i] = id;
    }
    return ids;
}

std::optional<aucrecall::detail::Buffer<std::uint32_t>> categorical_ids(const py::handle& value, py::object* categorical) {
    const py::object found = inputs().attr("categorical_codes")(value);
    if (found.is_none()) return std::nullopt;
    const auto parts = py::reinterpret_borrow<py::tuple>(found);
    const py::array codes = py::array(parts[1]);
    const auto categories = parts[2].cast<std::size_t>();
    const auto items = static_cast<std::size_t>(py::len(parts[1]));
    // Far more categories than items (a filtered frame keeps its unused categories): a table per
    // category would outweigh the keys, so pandas.factorize numbers the used ones.
    if (categories > 2 * items + 65536) return std::nullopt;
    const auto& d = descriptor(codes);
    if (codes.ndim() != 1 || d.kind != 'i' || !native_order(d))
        throw py::type_error("groups: a Categorical's codes must be one-dimensional signed integers, got dtype " +
                             std::string(py::str(codes.dtype())));
    const py::array contiguous = py::array(numpy().attr("ascontiguousarray")(codes));
    const auto n = static_cast<std::size_t>(contiguous.shape(0));
    *categorical = parts[0];
    switch (contiguous.itemsize()) {
        case 1: return first_appearance_ids(static_cast<const std::int8_t*>(contiguous.data()), n, categories);
        case 2: return first_appearance_ids(static_cast<const std::int16_t*>(contiguous.data()), n, categories);
        case 4: return first_appearance_ids(static_cast<const std::int32_t*>(contiguous.data()), n, categories);
        default: return first_appearance_ids(static_cast<const std::int64_t*>(contiguous.data()), n, categories);
    }
}

Keys group_keys(const py::handle& value) {
    Keys keys;
    if (value.is_none())
        throw py::type_error("groups is missing or None: pass groups=, one group key per item (integers, strings or any hashable values)");
    const auto numbered_texts = [&keys](const py::array& a) {
        auto numbers = text_ids(a);
        if (!numbers) return false;
        keys.original = a;
        keys.ids = std::move(numbers->ids);
        keys.offsets = std::move(numbers->offsets);
        keys.str_objects = descriptor(a).kind == 'O';
        keys.column.size = static_cast<std::size_t>(a.shape(0));
        return true;
    };
    if (!has_extension_dtype(value)) {
        py::array a = py::isinstance<py::array>(value) ? py::reinterpret_borrow<py::array>(value)
                                                       : py::array(numpy().attr("asarray")(value));
        if (a.ndim() != 1)
            throw py::value_error("groups must be one-dimensional, got " + std::to_string(a.ndim()) + " dimensions");
        if (const auto type = library_key_type(a)) {
            keys.original = a;
            keys.type = *type;
            keys.column = column(a);
            return keys;
        }
        if (numbered_texts(a)) return keys;
    } else if (const py::object strings = inputs().attr("string_objects")(value); !strings.is_none()) {
        if (numbered_texts(py::array(strings))) return keys;  // else a missing key, named below
    }
    if ((keys.ids = categorical_ids(value, &keys.original))) {
        keys.column.size = keys.ids->size();
        return keys;
    }
    // Strings, floats, objects, nullable integers: hashed to codes, never sorted.
    const py::tuple codes = inputs().attr("group_codes")(value);
    keys.column = column(py::array(codes[0]));
    keys.original = codes[1];
    keys.type = aucrecall::GroupKeyType::i64;
    return keys;
}

struct GroupedResult {
    py::array_t<double> values;
    py::array groups;
    py::array_t<std::int64_t> n, positives;
    double mean = 0;
    std::uint64_t counted = 0, skipped = 0;
};

template <class T, class Source>
py::array_t<T> to_array(const std::vector<Source>& v) {
    py::array_t<T> out(static_cast<py::ssize_t>(v.size()));
    T* data = out.mutable_data();
    for (std::size_t i = 0; i < v.size(); ++i) data[i] = static_cast<T>(v[i]);
    return out;
}

// The objects of a one-dimensional object array at `at`, as a new object array: the groups' keys
// of text_ids. Each object is a cache miss (100,000 groups of 100 rows: 4.3 ms through NumPy's
// indexing against 1.7 ms for int64 keys), so the object some items on is fetched meanwhile.
py::array objects_at(const py::array& from, const std::vector<std::uint64_t>& at) {
    py::array out = numpy().attr("empty")(at.size(), py::arg("dtype") = "object");  // every item None
    const char* base = static_cast<const char*>(from.data());
    const py::ssize_t stride = from.strides(0);
    const auto item_at = [&](std::uint64_t i) {
        return *reinterpret_cast<PyObject* const*>(base + static_cast<py::ssize_t>(i) * stride);
    };
    auto** slots = static_cast<PyObject**>(out.mutable_data());
    constexpr std::size_t ahead = aucrecall::tuning::key_prefetch_distance;
    for (std::size_t g = 0; g < at.size(); ++g) {
        if (g + ahead < at.size()) __builtin_prefetch(item_at(at[g + ahead]), 1);
        PyObject* key = item_at(at[g]);
        Py_INCREF(key);
        Py_SETREF(slots[g], key);
    }
    return out;
}

GroupedResult auc_recall_grouped(const py::handle& y_true, const py::object& y_score, const py::handle& groups,
                                 const py::object& k, const py::object& ties, const py::object& undefined,
                                 const py::object& low_memory) {
    aucrecall::GroupOptions options;
    options.k = parse_k(k.ptr());
    if (!PyBool_Check(low_memory.ptr()))
        throw py::type_error("low_memory must be True or False, got " + std::string(py::repr(low_memory)));
    options.low_memory = low_memory.ptr() == Py_True;
    try {
        options.ties = aucrecall::parse_ties(utf8(ties.ptr(), "ties"));
        options.undefined = aucrecall::parse_undefined(utf8(undefined.ptr(), "undefined"));
    } catch (const std::invalid_argument& e) {
        throw py::value_error(e.what());
    }
    aucrecall::Input items;
    Column labels = labels_column(y_true, &items.label_type), scores;
    items.labels = labels.data;
    items.n = labels.size;
    if (!y_score.is_none()) {
        scores = scores_column(y_score, &items.score_type);
        if (scores.size != labels.size)
            throw py::value_error("y_true and y_score differ in length: " + std::to_string(labels.size) +
                                  " labels, " + std::to_string(scores.size) + " scores");
        items.scores = scores.data;
    }
    const Keys keys = group_keys(groups);
    if (keys.column.size != labels.size)
        throw py::value_error("y_true and groups differ in length: " + std::to_string(labels.size) + " labels, " +
                              std::to_string(keys.column.size) + " group keys");
    const aucrecall::GroupedInput input{items, keys.column.data, keys.type};
    const auto compute = [&] {
        if (!keys.offsets.empty()) return aucrecall::compute_grouped_offsets(items, keys.offsets, options);
        return keys.ids ? aucrecall::compute_grouped_ids(items, {keys.ids->data(), keys.ids->size()}, options)
                        : aucrecall::compute_grouped(input, options);
    };
    aucrecall::GroupSummary summary;
    try {
        if (items.n < gil_release_min_items) {
            summary = compute();
        } else {
            py::gil_scoped_release unlocked;
            summary = compute();
        }
    } catch (const aucrecall::UndefinedGroup& e) {
        // The library names a factorised key by its code: name it by the caller's key.
        const std::string what = e.what();
        const std::size_t at = what.find(" is undefined");
        const py::object key = keys.original[py::int_(e.index())];
        throw py::value_error("group " + std::string(py::str(key)) +
                              (at == std::string::npos ? std::string(" is undefined") : what.substr(at)) +
                              "; its first item is at index " + std::to_string(e.index()));
    }
    GroupedResult r;
    r.values = to_array<double>(summary.values);
    r.groups = keys.str_objects ? objects_at(py::reinterpret_borrow<py::array>(keys.original), summary.first_item)
                                : py::array(numpy().attr("asarray")(keys.original[to_array<std::int64_t>(summary.first_item)]));
    r.n = to_array<std::int64_t>(summary.n);
    r.positives = to_array<std::int64_t>(summary.positives);
    r.mean = summary.mean;
    r.counted = summary.counted;
    r.skipped = summary.skipped;
    return r;
}

// The data pointers a call would hand the kernel, for the zero-copy tests.
// ---- partitioned data: the pieces aucrecall.dask (python/aucrecall/dask.py) calls per partition --
using u128 = unsigned __int128;

py::object to_python_int(u128 value) {
    const py::int_ high(static_cast<std::uint64_t>(value >> 64)), low(static_cast<std::uint64_t>(value));
    return high.attr("__lshift__")(64).attr("__or__")(low);
}

u128 from_python_int(const py::handle& value, const char* what) {
    const py::int_ v = py::reinterpret_borrow<py::object>(value);
    if (py::int_(0).attr("__gt__")(v).cast<bool>() || v.attr("bit_length")().cast<int>() > 128)
        throw py::value_error(std::string(what) + " must be an integer from 0 to 2**128 - 1");
    const auto high = v.attr("__rshift__")(64).cast<std::uint64_t>();
    const auto low = v.attr("__and__")(py::int_(~std::uint64_t{0})).cast<std::uint64_t>();
    return (static_cast<u128>(high) << 64) | low;
}

aucrecall::Ties ties_of(const py::handle& ties) {
    try {
        return aucrecall::parse_ties(utf8(ties.ptr(), "ties"));
    } catch (const std::invalid_argument& e) {
        throw py::value_error(e.what());
    }
}

// A RankSumSummary as a plain tuple (picklable, so it travels between processes):
// (ties, n, positives, discordant, tied, tied_negative_first, top_size, top_positives,
//  top_first_positive, lowest, highest).
py::tuple summary_tuple(const aucrecall::RankSumSummary& s) {
    return py::make_tuple(std::string(aucrecall::to_string(s.ties)), s.n, s.positives, to_python_int(s.discordant),
                          to_python_int(s.tied), to_python_int(s.tied_negative_first), s.top_size, s.top_positives,
                          s.top_first_positive, s.lowest, s.highest);
}

aucrecall::RankSumSummary summary_of(const py::tuple& t) {
    if (t.size() != 11) throw py::value_error("a summary is a tuple of 11 fields, got " + std::to_string(t.size()));
    aucrecall::RankSumSummary s;
    s.ties = ties_of(t[0]);
    s.n = t[1].cast<std::uint64_t>();
    s.positives = t[2].cast<std::uint64_t>();
    s.discordant = from_python_int(t[3], "discordant");
    s.tied = from_python_int(t[4], "tied");
    s.tied_negative_first = from_python_int(t[5], "tied_negative_first");
    s.top_size = t[6].cast<std::uint64_t>();
    s.top_positives = t[7].cast<std::uint64_t>();
    s.top_first_positive = t[8].cast<bool>();
    s.lowest = t[9].cast<double>();
    s.highest = t[10].cast<double>();
    if (s.positives > s.n || s.top_positives > s.top_size || s.top_size > s.n)
        throw py::value_error("inconsistent summary: positives, top group and n do not fit together");
    return s;
}

py::tuple summarize(const py::handle& y_true, const py::handle& y_score, const py::handle& ties) {
    const Prepared p = prepare(y_true, y_score);
    const aucrecall::Ties policy = ties_of(ties);
    if (p.input.n < gil_release_min_items) return summary_tuple(aucrecall::summarize(p.input, policy));
    aucrecall::RankSumSummary s;
    {
        py::gil_scoped_release released;
        s = aucrecall::summarize(p.input, policy);
    }
    return summary_tuple(s);
}

// (n, positives, top_key, top_size, top_positives, top_first_positive, bins, bin_positives,
//  bin_negatives, error): error is None or (index in the partition, message) for bad input.
py::tuple partition_scan(const py::handle& y_true, const py::handle& y_score) {
    const Prepared p = prepare(y_true, y_score);
    aucrecall::partitioned::PartitionScan s;
    try {
        py::gil_scoped_release released;
        s = aucrecall::partitioned::scan(p.input);
    } catch (const aucrecall::InvalidInput& e) {
        return py::make_tuple(p.input.n, 0, 0, 0, 0, false, py::none(), py::none(), py::none(),
                              py::make_tuple(e.index(), std::string(e.what())));
    }
    return py::make_tuple(s.n, s.positives, s.top_key, s.top_size, s.top_positives, s.top_first_positive,
                          to_array<std::uint32_t>(s.bins), to_array<std::uint64_t>(s.bin_positives),
                          to_array<std::uint64_t>(s.bin_negatives), py::none());
}

py::array_t<std::uint64_t> score_keys(const py::handle& y_score) {
    aucrecall::ScoreType type{};
    const Column c = scores_column(y_score, &type);
    py::array_t<std::uint64_t> out(static_cast<py::ssize_t>(c.size));
    auto* keys = out.mutable_data();
    // Integer scores key as their doubles, as the partitioned counts read them (which refuse
    // integers beyond +-2^53: such a key could tie distinct scores).
    constexpr double exact_limit = 9007199254740992.0;  // 2^53
    auto key_of_integer = [&](auto v, std::size_t i) {
        const double d = static_cast<double>(v);
        if (d > exact_limit || d < -exact_limit)
            throw py::value_error("score at index " + std::to_string(i) + " is " + std::to_string(v) +
                                  ", beyond +-2^53: partitioned counts keep scores as doubles, which would round "
                                  "it; the in-memory metric takes it exactly");
        return aucrecall::partitioned::score_key(d);
    };
    for (std::size_t i = 0; i < c.size; ++i) {
        switch (type) {
            case aucrecall::ScoreType::f32:
                keys[i] = aucrecall::partitioned::score_key(static_cast<const float*>(c.data)[i]);
                break;
            case aucrecall::ScoreType::f64:
                keys[i] = aucrecall::partitioned::score_key(static_cast<const double*>(c.data)[i]);
                break;
            case aucrecall::ScoreType::i32: keys[i] = key_of_integer(static_cast<const std::int32_t*>(c.data)[i], i); break;
            case aucrecall::ScoreType::i64: keys[i] = key_of_integer(static_cast<const std::int64_t*>(c.data)[i], i); break;
            case aucrecall::ScoreType::u64: keys[i] = key_of_integer(static_cast<const std::uint64_t*>(c.data)[i], i); break;
        }
    }
    return out;
}

py::tuple count_against(const py::handle& y_true, const py::handle& y_score, std::uint64_t first_position,
                        const py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>& keys,
                        const py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>& positions,
                        bool class_is_positive, const py::handle& ties) {
    const Prepared p = prepare(y_true, y_score);
    const aucrecall::Ties policy = ties_of(ties);
    aucrecall::partitioned::PairTotals t;
    {
        py::gil_scoped_release released;
        t = aucrecall::partitioned::count_against(
            p.input, first_position, std::span<const std::uint64_t>(keys.data(), static_cast<std::size_t>(keys.size())),
            std::span<const std::uint64_t>(positions.data(), static_cast<std::size_t>(positions.size())),
            class_is_positive, policy);
    }
    return py::make_tuple(to_python_int(t.discordant), to_python_int(t.tied), to_python_int(t.tied_negative_first));
}

double compute_top(const py::handle& y_true, const py::handle& y_score, std::uint64_t k,
                   std::uint64_t positives_elsewhere, const py::handle& ties, std::uint64_t tied_elsewhere,
                   std::uint64_t tied_positives_elsewhere) {
    const Prepared p = prepare(y_true, y_score);
    const aucrecall::Ties policy = ties_of(ties);
    py::gil_scoped_release released;
    return aucrecall::partitioned::compute_top(p.input, k, positives_elsewhere, policy, tied_elsewhere,
                                               tied_positives_elsewhere);
}

std::pair<std::uintptr_t, std::uintptr_t> input_addresses(const py::handle& y_true,
                                                          const py::handle& y_score) {
    const Prepared p = prepare(y_true, y_score);
    return {reinterpret_cast<std::uintptr_t>(p.input.labels),
            reinterpret_cast<std::uintptr_t>(p.input.scores)};
}

constexpr const char* module_doc = R"(AUC-Recall@k on NumPy arrays (the aucrecall C++ library).

The metric: rank the items by score, highest first; recall@k is the share of all positives found
in the first k ranks, k = 1..n; the result is the area under that curve divided by the area under
the ideal curve min(1, k / P) (trapezoid rule, unit spacing). 1.0 is a perfect ranking. The exact
definition is SPEC.md of the project.

Functions: auc_recall (one scored list), auc_recall_ranked (labels already in rank order),
auc_recall_grouped (one list per query or user, averaged), kernels, simd_isa. Every entry point
takes a cutoff k: only the first k ranks count (AUC-Recall@K). The fastest kernel for the input size runs unless one
is named; every kernel computes the same value.)";

// The first lines are CPython's text signature (inspect.signature and help() read it).
constexpr const char* auc_recall_doc = R"(auc_recall(y_true, y_score, *, k=None, ties="average", kernel=None)
--

AUC-Recall@k of one scored list: the area under the recall@k curve (k = 1..n, or 1..K with a
cutoff) divided by the area under the ideal curve over the same ranks.

y_true: 1-D array-like of 0/1 labels (1 = relevant). bool, uint8, int32 and int64 arrays are read
    in place without a copy; other numeric dtypes, lists and pandas Series are converted once
    (each value must be exactly 0 or 1).
y_score: 1-D array-like of scores, higher = ranked first. float32 and float64 arrays are read in
    place; other numeric dtypes are converted to float64 once. +inf and -inf are ordinary
    values; -0.0 equals 0.0.
ties: how equal scores are ranked. "average" (default): the mean of the metric over every
    ranking the scores allow (independent of input order). "stable": ties keep input order,
    as numpy.argsort(-y_score, kind="stable").
kernel: a name from kernels() to force one technique; None picks the fastest for the size.
k: cutoff K (an int >= 1): only the first min(K, n) ranks make both curves; positives ranked
    below K still count in recall's denominator. None (default) = the full ranking. A tie group
    that straddles rank K counts by its share (average) or by input order (stable).

Returns NaN when there is no positive label or fewer than 2 ranks (n < 2 or k = 1).
Raises ValueError for a NaN score, a label other than 0/1 (naming the index), different lengths,
2-D input, k < 1, an unknown tie policy or kernel; TypeError for a non-numeric dtype or a
non-integer k.
The GIL is released while the kernel runs (inputs of 1024 items or more), so threads calling
auc_recall run in parallel. Inputs are never modified.

Example: auc_recall([1, 0, 1, 1, 0], [0.9, 0.8, 0.7, 0.6, 0.5]) == 0.8

Relation to sklearn.metrics.roc_auc_score: a different metric over the same ranking; both are
affine functions of the positives' rank sum (see the project's docs/study.md).)";

constexpr const char* auc_recall_ranked_doc = R"(AUC-Recall@k of one ranked list: labels alone, already in rank order (index 0 = rank 0).

The same as auc_recall(y_true, scores) with scores n-1, ..., 0 (no ties exist), in one pass over
the labels (no sort): the form many evaluation pipelines keep per query.

y_true: 1-D array-like of 0/1 labels in rank order; bool, uint8, int32, int64 read in place.
k: cutoff K (int >= 1) or None for the full ranking.
Returns NaN without a positive or with fewer than 2 ranks. Raises ValueError for a label other
than 0/1 (naming the index) or k < 1.

Example: auc_recall_ranked([1, 0, 1, 1, 0], k=3) == 0.625)";

constexpr const char* auc_recall_grouped_doc = R"(AUC-Recall@k per group (query, user), and the mean over groups.

Each group's items are ranked and scored independently, as if each group were its own input,
with the same k and tie policy. Rows of one group need not be contiguous; within a group, input
order breaks ties under "stable" (and is the rank order when y_score is None).

y_true: 1-D array-like of 0/1 labels.
y_score: 1-D array-like of scores, or None when each group's rows are already in rank order.
groups: a key per item: any integer array (read in place; keys need not be dense, sorted or
    small: 10**18 is fine), text (str objects, NumPy U/S arrays, pandas string: hashed in C++ by
    the whole text), a pandas Categorical (its codes), or other hashable values (pandas.factorize).
    A missing key (None, NaN, pd.NA) is a ValueError naming its index.
k: cutoff K per group (int >= 1) or None. ties: "average" or "stable".
undefined: what a group whose metric is NaN (no positive, fewer than 2 ranks) contributes:
    "skip" (default: NaN, left out of the mean), "zero" (0, counted), "error" (ValueError naming
    the first such group and the index of its first item).
low_memory: for many groups whose rows are interleaved, keep only the items' order (5-8 bytes per
    item) and read each score from y_score when its group is evaluated, instead of copying labels
    and scores in group order (9-12 bytes): about half the scratch memory, for 1.3x (two threads)
    to 1.5x (one) the time when calls repeat. Same results bit for bit.

Returns GroupedResult: .values (float64, one per group), .groups (the keys in order of first
appearance), .n and .positives (int64), .mean (over counted groups; NaN when none), .counted,
.skipped. Threads evaluate groups in parallel (the result does not depend on their number).

Example: auc_recall_grouped([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.6], groups=[7, 7, 9, 9]).values
    -> array([1., 1.]))";

}  // namespace

PYBIND11_MODULE(_aucrecall, m) {
    m.doc() = module_doc;
    m.attr("__version__") = std::string(aucrecall::version());

    static PyMethodDef auc_recall_method = {
        "auc_recall", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(&auc_recall)),
        METH_FASTCALL | METH_KEYWORDS, auc_recall_doc};
    m.add_object("auc_recall", py::reinterpret_steal<py::object>(
                                   PyCFunction_NewEx(&auc_recall_method, nullptr, m.attr("__name__").ptr())));

    m.def("auc_recall_ranked", &auc_recall_ranked, py::arg("y_true"), py::kw_only(), py::arg("k") = py::none(),
          auc_recall_ranked_doc);

    py::class_<GroupedResult>(m, "GroupedResult", "Result of auc_recall_grouped (read-only).")
        .def_readonly("values", &GroupedResult::values, "float64 array: the metric per group")
        .def_readonly("groups", &GroupedResult::groups, "the group keys, in order of first appearance")
        .def_readonly("n", &GroupedResult::n, "int64 array: items per group")
        .def_readonly("positives", &GroupedResult::positives, "int64 array: positives per group")
        .def_readonly("mean", &GroupedResult::mean, "unweighted mean over the counted groups (NaN when none)")
        .def_readonly("counted", &GroupedResult::counted, "groups in the mean")
        .def_readonly("skipped", &GroupedResult::skipped, "undefined groups left out (undefined='skip')")
        .def("__len__", [](const GroupedResult& r) { return r.values.size(); })
        .def("__repr__", [](const GroupedResult& r) {
            return "GroupedResult(groups=" + std::to_string(r.values.size()) + ", mean=" +
                   std::string(py::repr(py::float_(r.mean))) + ", counted=" + std::to_string(r.counted) +
                   ", skipped=" + std::to_string(r.skipped) + ")";
        });
    m.def("auc_recall_grouped", &auc_recall_grouped, py::arg("y_true"), py::arg("y_score") = py::none(),
          py::kw_only(), py::arg("groups") = py::none(), py::arg("k") = py::none(), py::arg("ties") = "average",
          py::arg("undefined") = "skip", py::arg("low_memory") = false, auc_recall_grouped_doc);

    m.def(
        "kernels",
        [] {
            py::list out;
            for (const aucrecall::Kernel& k : aucrecall::kernels())
                out.append(py::make_tuple(std::string(k.name), std::string(k.description)));
            return out;
        },
        "kernels() -> list[tuple[str, str]]\n\nEvery kernel of the library's registry as (name, "
        "description), in registry order. Any name can be passed as auc_recall(..., kernel=name).");

    m.def(
        "default_kernel",
        [](const py::object& n) {
            if (!PyIndex_Check(n.ptr()) || PyBool_Check(n.ptr()) || n.attr("__lt__")(0).cast<bool>())
                throw py::type_error("default_kernel takes n, a number of items (an int >= 0), got " +
                                     std::string(py::repr(n)));
            aucrecall::Input input;  // the choice depends on the size alone
            input.n = n.cast<std::size_t>();
            return std::string(aucrecall::default_kernel(input).name);
        },
        py::arg("n"),
        "default_kernel(n) -> str\n\nThe kernel auc_recall runs for n items when none is named "
        "(chosen by size from measurements).");

    m.def(
        "simd_isa", [] { return std::string(aucrecall::simd_isa_active()); },
        "simd_isa() -> str\n\nThe instruction set the SIMD kernels use in this process (scalar, "
        "sse2, sse4_2, avx2 or avx512): the best the CPU runs, or the one the environment variable "
        "AUCRECALL_ARCH forces. Raises RuntimeError if AUCRECALL_ARCH names an unknown or "
        "unsupported one.");

    m.def(
        "scratch_bytes", [] { return aucrecall::scratch_bytes(); },
        "scratch_bytes() -> int\n\nBytes of scratch memory the kernels keep for the calling thread "
        "between calls (large work arrays, reused to avoid page faults; up to 16 bytes per item "
        "of the largest recent input).");
    m.def(
        "release_scratch", [] { aucrecall::release_scratch(); },
        "release_scratch() -> None\n\nFrees the scratch memory kept for the calling thread (the "
        "next large call allocates it again).");

    m.def("_summarize", &summarize, py::arg("y_true"), py::arg("y_score"), py::arg("ties"),
          "The mergeable counts of one input as a tuple (aucrecall.Summary wraps it).");
    m.def(
        "_merge", [](const py::tuple& a, const py::tuple& b) { return summary_tuple(aucrecall::merge(summary_of(a), summary_of(b))); },
        py::arg("a"), py::arg("b"), "The summary of two parts whose score ranges do not overlap.");
    m.def(
        "_summary_metric", [](const py::tuple& s) { return aucrecall::metric(summary_of(s)); }, py::arg("summary"),
        "The metric of a summary: the library's final division.");
    m.def("_partition_scan", &partition_scan, py::arg("y_true"), py::arg("y_score"),
          "One partition's first pass: checks, n, P, the top tie group, the key histogram.");
    m.def("_score_keys", &score_keys, py::arg("y_score"), "The 64-bit order keys of scores.");
    m.def("_count_against", &count_against, py::arg("y_true"), py::arg("y_score"), py::arg("first_position"),
          py::arg("keys"), py::arg("positions"), py::arg("class_is_positive"), py::arg("ties"),
          "(D, T, Ts) between one class gathered from every partition and the other class here.");
    m.def("_compute_top", &compute_top, py::arg("y_true"), py::arg("y_score"), py::arg("k"),
          py::arg("positives_elsewhere"), py::arg("ties"), py::arg("tied_elsewhere") = 0,
          py::arg("tied_positives_elsewhere") = 0,
          "metric@K from the items that can reach rank K, the positives below them and the items of "
          "the tie group at rank K-1 left out.");
    m.def("_histogram_bits", [] { return aucrecall::partitioned::histogram_bits; });
    m.def("_input_addresses", &input_addresses, py::arg("y_true"), py::arg("y_score"),
          "Testing hook: the (labels, scores) data addresses auc_recall would hand the kernel.");
    m.def(
        "_group_keys_address",
        [](const py::handle& groups) { return reinterpret_cast<std::uintptr_t>(group_keys(groups).column.data); },
        py::arg("groups"), "Testing hook: the group keys' data address auc_recall_grouped would hand the library.");
}
