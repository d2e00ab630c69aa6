// Embind's registrations of types the browser tag never binds, dropped from
// the tag's wasm (CMake target relance_tag only).
//
// Embind's bind.cpp registers, in a constructor every build links, the
// JavaScript side of every built-in type: 17 typed memory views, std::wstring,
// std::u16string, std::u32string, emscripten::val and the 64-bit integers.
// The tag's bindings (src/wasm/engine_bindings.cc) pass only std::string,
// int, double and void. Its glue already made those registrations no-ops
// (web/tag_embind_types.js; the 64-bit integers' is one without
// WASM_BIGINT), but the wasm still made each call with its type's name.
//
// So the tag's wasm defines these registrations itself, as empty functions
// (otherwise they are imported from the glue). bind.cpp is bitcode too, so
// the link-time optimiser sees its calls reach nothing and removes them with
// the names (docs/design/performance.md, "Browser tag", session 7); the glue
// then does not import them at all. (-Wl,--wrap would not do: the linker
// redirects the calls after the optimiser has kept them and their names.)
//
// A tag binding that used one of these types would fail loudly (Embind's
// "unbound types" error when called), as it already did with the no-op glue:
// bind it in the npm package's build instead.
#include <cstddef>

// The signatures of emscripten/bind.h's declarations (TYPEID is const void*);
// that header is not included here, so these are the only declarations.
extern "C" {

void _embind_register_memory_view(const void*, unsigned, const char*) {}
void _embind_register_std_wstring(const void*, std::size_t, const char*) {}
void _embind_register_emval(const void*, const char*) {}
void _embind_register_bigint(const void*, const char*, std::size_t, long long, unsigned long long) {}

}  // extern "C"
